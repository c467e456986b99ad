import { Buffer } from 'node:buffer';

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const lenientUtf8 = new TextDecoder('utf-8', { ignoreBOM: true });

/** A view on the same memory, for Buffer's readers; no copy. */
export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** UTF-8, with invalid sequences replaced rather than rejected. */
export function decodeUtf8(bytes: Uint8Array): string {
  return lenientUtf8.decode(bytes);
}

/**
 * PNG `tEXt`/`zTXt` text is Latin-1 by the spec, but several writers put
 * UTF-8 there: take UTF-8 when the bytes are valid UTF-8, Latin-1 otherwise.
 */
export function decodeLatin1OrUtf8(bytes: Uint8Array): string {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return asBuffer(bytes).toString('latin1');
  }
}
