import type { ErrorCode } from './error-codes.js';

/**
 * The base of every error the product raises on purpose. `code` is the
 * stable `E_*` string that crosses the socket in `{"error": {"code", "message"}}`
 * (one of core/error-codes.ts); the message says what failed, on which path
 * or key, and what to do.
 */
export class ArenaError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ArenaError';
    this.code = code;
  }
}

/** The message of anything thrown, for logs and replies. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
