/**
 * Reading a hub's answer into memory with a ceiling. The Content-Length, when
 * given, refuses an answer before its body is read; but a server may send
 * none, or lie, so the bytes are also counted as they arrive and the reading
 * stops (the connection is dropped) at the first byte past the ceiling.
 */

export const MiB = 1024 * 1024;

/** The answer is larger than the ceiling; nothing past the ceiling was read. */
export class BodyTooLarge extends Error {
  /** The size the Content-Length announced, when that is what gave it away. */
  readonly announced: number | undefined;

  constructor(limit: number, announced?: number) {
    super(`the answer is larger than ${limit} bytes`);
    this.name = 'BodyTooLarge';
    this.announced = announced;
  }
}

/** Drops a body nobody will read, so its connection is freed. */
export async function discardBody(response: Response): Promise<void> {
  // A body that cannot be cancelled is closed or broken already: nothing is left to free.
  await response.body?.cancel().catch(() => undefined);
}

/** The body as text, at most `limit` bytes of it; throws BodyTooLarge beyond. */
export async function readCappedText(response: Response, limit: number): Promise<string> {
  const announced = Number(response.headers.get('content-length') ?? Number.NaN);
  if (Number.isFinite(announced) && announced > limit) {
    await discardBody(response);
    throw new BodyTooLarge(limit, announced);
  }
  if (response.body === null) return '';
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader: ReadableStreamDefaultReader<unknown> = response.body.getReader();
  try {
    for (;;) {
      const next = await reader.read();
      if (next.done) break;
      const value = bytesOf(next.value);
      total += value.byteLength;
      if (total > limit) {
        // Cancelling frees the connection; one that fails is closed already, and the answer is refused either way.
        await reader.cancel().catch(() => undefined);
        throw new BodyTooLarge(limit);
      }
      chunks.push(value);
    }
  } finally {
    reader.releaseLock();
  }
  return Buffer.concat(chunks, total).toString('utf8');
}

/** A chunk of a fetch body: bytes, though the stream's type does not say so. */
function bytesOf(chunk: unknown): Uint8Array {
  if (chunk instanceof Uint8Array) return chunk;
  throw new TypeError(`a chunk of the answer's body is not bytes but ${typeof chunk}`);
}
