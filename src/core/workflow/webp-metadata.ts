import { WorkflowError } from './workflow-error.js';
import { asBuffer, decodeUtf8 } from './text-decoding.js';

/**
 * ComfyUI's WebP savers put the metadata in the EXIF chunk, as IFD0 string
 * tags: 0x0110 holds `prompt:<json>` and 0x010F (then 0x010E, ... for further
 * extra_pnginfo keys) holds `workflow:<json>`. The prefix, not the tag,
 * says what a value is.
 */
export type PrefixedTexts = Map<string, string>;

const TIFF_ASCII = 2;
const TIFF_BYTE = 1;
const TIFF_UNDEFINED = 7;
const EXIF_HEADER = 'Exif\u0000\u0000';

export function isWebp(bytes: Uint8Array): boolean {
  if (bytes.length < 12) return false;
  const buffer = asBuffer(bytes);
  return buffer.toString('latin1', 0, 4) === 'RIFF' && buffer.toString('latin1', 8, 12) === 'WEBP';
}

/** The `key:<text>` values of the EXIF chunk's IFD0 string tags whose key is in `wanted`. */
export function readWebpPrefixedTexts(bytes: Uint8Array, wanted: ReadonlySet<string>): PrefixedTexts {
  const exif = findExifChunk(asBuffer(bytes));
  return exif === undefined ? new Map<string, string>() : readIfd0Texts(exif, wanted);
}

function findExifChunk(buffer: Buffer): Buffer | undefined {
  let offset = 12;
  while (offset + 8 <= buffer.length) {
    const fourcc = buffer.toString('latin1', offset, offset + 4);
    const size = buffer.readUInt32LE(offset + 4);
    const dataStart = offset + 8;
    if (dataStart + size > buffer.length) {
      if (fourcc === 'EXIF') throw new WorkflowError(`truncated WebP: the EXIF chunk at byte ${offset} runs past the end of the file`);
      // A cut-off image chunk: nothing after it can be read.
      return undefined;
    }
    if (fourcc === 'EXIF') return buffer.subarray(dataStart, dataStart + size);
    // Chunks are padded to an even size.
    offset = dataStart + size + (size & 1);
  }
  return undefined;
}

function readIfd0Texts(chunk: Buffer, wanted: ReadonlySet<string>): PrefixedTexts {
  const tiff = chunk.toString('latin1', 0, EXIF_HEADER.length) === EXIF_HEADER ? chunk.subarray(EXIF_HEADER.length) : chunk;
  const order = tiff.toString('latin1', 0, 2);
  if (order !== 'II' && order !== 'MM') throw new WorkflowError('corrupt WebP: the EXIF chunk has no TIFF byte-order mark');
  const little = order === 'II';
  const u16 = (at: number): number => (little ? tiff.readUInt16LE(at) : tiff.readUInt16BE(at));
  const u32 = (at: number): number => (little ? tiff.readUInt32LE(at) : tiff.readUInt32BE(at));
  if (tiff.length < 8 || u16(2) !== 42) throw new WorkflowError('corrupt WebP: the EXIF chunk has no valid TIFF header');
  const ifd = u32(4);
  if (ifd + 2 > tiff.length) throw new WorkflowError('corrupt WebP: the EXIF IFD0 offset points past the chunk');
  const count = u16(ifd);
  const texts: PrefixedTexts = new Map();
  for (let index = 0; index < count; index += 1) {
    const entry = ifd + 2 + index * 12;
    if (entry + 12 > tiff.length) throw new WorkflowError('corrupt WebP: the EXIF IFD0 runs past the chunk');
    const type = u16(entry + 2);
    if (type !== TIFF_ASCII && type !== TIFF_BYTE && type !== TIFF_UNDEFINED) continue;
    const length = u32(entry + 4);
    const start = length <= 4 ? entry + 8 : u32(entry + 8);
    if (start + length > tiff.length) throw new WorkflowError(`corrupt WebP: EXIF tag 0x${u16(entry).toString(16)} points past the chunk`);
    const text = withoutTrailingNuls(decodeUtf8(tiff.subarray(start, start + length)));
    const colon = text.indexOf(':');
    if (colon <= 0) continue;
    const key = text.slice(0, colon);
    if (wanted.has(key) && !texts.has(key)) texts.set(key, text.slice(colon + 1));
  }
  return texts;
}

/** The text without the NUL padding that ends an EXIF string. */
function withoutTrailingNuls(text: string): string {
  let end = text.length;
  while (end > 0 && text.charCodeAt(end - 1) === 0) end -= 1;
  return text.slice(0, end);
}
