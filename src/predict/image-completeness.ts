/**
 * Whether an image file has been written to its end. ComfyUI writes output
 * images in place, with no temp file and no "done" event; a PNG is complete
 * once it ends with its IEND chunk, a WebP once it holds the size its RIFF
 * header announces.
 */
import { Buffer } from 'node:buffer';

/** The IEND chunk: length 0, type, CRC. Every complete PNG ends with these 12 bytes. */
const PNG_END = Buffer.from([0, 0, 0, 0, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82]);
const PNG_SIGNATURE_BYTES = 8;
/** `RIFF`, the size of what follows, `WEBP`. */
const RIFF_HEADER_BYTES = 12;

export function isImageComplete(bytes: Uint8Array): boolean {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buffer.length >= 4 && buffer.toString('latin1', 0, 4) === '\x89PNG') {
    return buffer.length >= PNG_SIGNATURE_BYTES + PNG_END.length && buffer.subarray(buffer.length - PNG_END.length).equals(PNG_END);
  }
  if (buffer.length >= RIFF_HEADER_BYTES && buffer.toString('latin1', 0, 4) === 'RIFF') {
    return buffer.length >= 8 + buffer.readUInt32LE(4);
  }
  return false;
}
