import { ArenaError } from '../../core/arena-error.js';

/**
 * The staged copy is not what was read or what was expected: its size or its
 * sha256 differs. The copy was discarded and never became visible.
 */
export class VerifyError extends ArenaError {
  readonly destination: string;
  readonly expected: string;
  readonly actual: string;
  readonly retryable = true;

  constructor(destination: string, what: 'size' | 'sha256', expected: string, actual: string) {
    super(
      'E_VERIFY',
      `The copy for ${destination} failed verification: ${what} is ${actual}, expected ${expected}. It was discarded; if this repeats, check the library file and the cache disk.`,
    );
    this.name = 'VerifyError';
    this.destination = destination;
    this.expected = expected;
    this.actual = actual;
  }
}
