import { ArenaError } from '../../core/arena-error.js';

/**
 * The library file vanished or its storage stopped answering (ENOENT, EIO,
 * a stale NFS handle): typically a NAS that went offline. Retry once the
 * library root is reachable again.
 */
export class SourceMissingError extends ArenaError {
  readonly source: string;
  readonly retryable = true;

  constructor(source: string, options?: { cause?: unknown }) {
    super(
      'E_SOURCE_MISSING',
      `The library file ${source} could not be read${codeSuffix(options?.cause)}; check that its library root (NAS) is mounted and reachable.`,
      options,
    );
    this.name = 'SourceMissingError';
    this.source = source;
  }
}

function codeSuffix(cause: unknown): string {
  const code = (cause as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? ` (${code})` : '';
}
