import { crc32, inflateSync } from 'node:zlib';
import { WorkflowError } from './workflow-error.js';
import { asBuffer, decodeLatin1OrUtf8, decodeUtf8 } from './text-decoding.js';

/** The text chunks ComfyUI (and custom savers) write: keyword → text, first chunk of each keyword wins. */
export type TextChunks = Map<string, string>;

const SIGNATURE = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);
/** A compressed text chunk may not inflate beyond this: a workflow is megabytes, not gigabytes. */
const MAX_INFLATED_BYTES = 256 * 1024 * 1024;
const TEXT_CHUNK_TYPES = new Set(['tEXt', 'zTXt', 'iTXt']);

export function isPng(bytes: Uint8Array): boolean {
  return bytes.length >= SIGNATURE.length && SIGNATURE.every((byte, index) => bytes[index] === byte);
}

/**
 * Reads the text chunks whose keyword is in `wanted`. Checks the structure
 * (IHDR first, chunk bounds, chunk types, the CRC of the text chunks read)
 * so that garbage is rejected with a reason rather than misread. A file cut
 * short after its text chunks still yields them: ComfyUI writes the text
 * before the image data, and the metadata is what matters here.
 */
export function readPngTextChunks(bytes: Uint8Array, wanted: ReadonlySet<string>): TextChunks {
  const buffer = asBuffer(bytes);
  const chunks: TextChunks = new Map();
  let offset = SIGNATURE.length;
  let first = true;
  while (offset < buffer.length) {
    if (offset + 8 > buffer.length) return truncated(chunks, `a chunk header at byte ${offset} is cut short`);
    const length = buffer.readUInt32BE(offset);
    const type = buffer.toString('latin1', offset + 4, offset + 8);
    if (!/^[A-Za-z]{4}$/.test(type)) throw new WorkflowError(`not a valid PNG: the chunk at byte ${offset} has an invalid type`);
    if (first && type !== 'IHDR') throw new WorkflowError(`not a valid PNG: the first chunk is ${type}, not IHDR`);
    first = false;
    const dataStart = offset + 8;
    const dataEnd = dataStart + length;
    if (length > 0x7fffffff || dataEnd + 4 > buffer.length) {
      return truncated(chunks, `the ${type} chunk at byte ${offset} runs past the end of the file`);
    }
    if (TEXT_CHUNK_TYPES.has(type)) {
      const data = buffer.subarray(dataStart, dataEnd);
      const keyword = keywordOf(data);
      if (keyword !== undefined && wanted.has(keyword) && !chunks.has(keyword)) {
        if (crc32(buffer.subarray(offset + 4, dataEnd)) !== buffer.readUInt32BE(dataEnd)) {
          throw new WorkflowError(`corrupt PNG: the ${type} chunk "${keyword}" at byte ${offset} fails its CRC check`);
        }
        chunks.set(keyword, readText(type, data, keyword, offset));
      }
    }
    if (type === 'IEND') break;
    offset = dataEnd + 4;
  }
  return chunks;
}

function truncated(chunks: TextChunks, reason: string): TextChunks {
  if (chunks.size > 0) return chunks;
  throw new WorkflowError(`truncated PNG: ${reason}`);
}

/** The Latin-1 keyword before the first NUL; 1 to 79 bytes by the spec. */
function keywordOf(data: Uint8Array): string | undefined {
  const nul = data.indexOf(0);
  if (nul < 1 || nul > 79) return undefined;
  return asBuffer(data).toString('latin1', 0, nul);
}

function readText(type: string, data: Buffer, keyword: string, offset: number): string {
  const afterKeyword = keyword.length + 1;
  if (type === 'tEXt') return decodeLatin1OrUtf8(data.subarray(afterKeyword));
  if (type === 'zTXt') {
    // One byte of compression method (0 = zlib), then the compressed text.
    return decodeLatin1OrUtf8(inflate(data.subarray(afterKeyword + 1), type, keyword, offset));
  }
  // iTXt: compression flag, method, language tag NUL, translated keyword NUL, then UTF-8 text.
  const compressed = data[afterKeyword] === 1;
  const languageEnd = data.indexOf(0, afterKeyword + 2);
  const translatedEnd = languageEnd === -1 ? -1 : data.indexOf(0, languageEnd + 1);
  if (translatedEnd === -1) throw new WorkflowError(`corrupt PNG: the iTXt chunk "${keyword}" at byte ${offset} is malformed`);
  const text = data.subarray(translatedEnd + 1);
  return decodeUtf8(compressed ? inflate(text, type, keyword, offset) : text);
}

function inflate(data: Uint8Array, type: string, keyword: string, offset: number): Buffer {
  try {
    return inflateSync(data, { maxOutputLength: MAX_INFLATED_BYTES });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new WorkflowError(`corrupt PNG: the ${type} chunk "${keyword}" at byte ${offset} does not inflate (${reason})`, {
      cause: error,
    });
  }
}
