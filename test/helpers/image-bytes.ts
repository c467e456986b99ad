import { Buffer } from 'node:buffer';
import { crc32, deflateSync } from 'node:zlib';

/** Builders for small, structurally valid PNG and WebP files carrying ComfyUI metadata. */

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export function pngChunk(type: string, data: Uint8Array): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

function ihdr(): Buffer {
  const data = Buffer.alloc(13);
  data.writeUInt32BE(1, 0); // width
  data.writeUInt32BE(1, 4); // height
  data[8] = 8; // bit depth
  data[9] = 2; // colour type: RGB
  return pngChunk('IHDR', data);
}

/** A 1x1 PNG with the given chunks between IHDR and the image data. */
export function pngWith(...chunks: Buffer[]): Buffer {
  const idat = pngChunk('IDAT', deflateSync(Buffer.from([0, 0, 0, 0])));
  return Buffer.concat([PNG_SIGNATURE, ihdr(), ...chunks, idat, pngChunk('IEND', Buffer.alloc(0))]);
}

export function tEXt(keyword: string, text: string): Buffer {
  return pngChunk('tEXt', Buffer.concat([Buffer.from(`${keyword}\0`, 'latin1'), Buffer.from(text, 'latin1')]));
}

export function zTXt(keyword: string, text: string): Buffer {
  return pngChunk('zTXt', Buffer.concat([Buffer.from(`${keyword}\0\0`, 'latin1'), deflateSync(Buffer.from(text, 'latin1'))]));
}

export function iTXt(keyword: string, text: string, compressed: boolean): Buffer {
  const header = Buffer.concat([Buffer.from(`${keyword}\0`, 'latin1'), Buffer.from([compressed ? 1 : 0, 0]), Buffer.from('en\0\0', 'latin1')]);
  const body = compressed ? deflateSync(Buffer.from(text, 'utf8')) : Buffer.from(text, 'utf8');
  return pngChunk('iTXt', Buffer.concat([header, body]));
}

export interface ExifOptions {
  littleEndian: boolean;
  /** Start the chunk with `Exif\0\0`, as some writers do. */
  exifHeader: boolean;
}

/**
 * A WebP whose EXIF chunk holds IFD0 ASCII tags, as ComfyUI's savers write
 * them: 0x0110 = `prompt:<json>`, 0x010F = `workflow:<json>`.
 */
export function webpWithExif(tags: { tag: number; text: string }[], options: ExifOptions): Buffer {
  const exif = Buffer.concat([options.exifHeader ? Buffer.from('Exif\0\0', 'latin1') : Buffer.alloc(0), tiff(tags, options.littleEndian)]);
  const image = riffChunk('VP8L', Buffer.from([0x2f, 0, 0, 0, 0]));
  const body = Buffer.concat([Buffer.from('WEBP', 'latin1'), image, riffChunk('EXIF', exif)]);
  const size = Buffer.alloc(4);
  size.writeUInt32LE(body.length);
  return Buffer.concat([Buffer.from('RIFF', 'latin1'), size, body]);
}

export function riffChunk(fourcc: string, data: Buffer): Buffer {
  const size = Buffer.alloc(4);
  size.writeUInt32LE(data.length);
  return Buffer.concat([Buffer.from(fourcc, 'latin1'), size, data, data.length % 2 === 1 ? Buffer.alloc(1) : Buffer.alloc(0)]);
}

function tiff(tags: { tag: number; text: string }[], little: boolean): Buffer {
  const u16 = (value: number): Buffer => {
    const out = Buffer.alloc(2);
    if (little) out.writeUInt16LE(value);
    else out.writeUInt16BE(value);
    return out;
  };
  const u32 = (value: number): Buffer => {
    const out = Buffer.alloc(4);
    if (little) out.writeUInt32LE(value);
    else out.writeUInt32BE(value);
    return out;
  };
  const ifdStart = 8;
  const dataStart = ifdStart + 2 + tags.length * 12 + 4;
  const entries: Buffer[] = [];
  const data: Buffer[] = [];
  let cursor = dataStart;
  for (const { tag, text } of tags) {
    const value = Buffer.from(`${text}\0`, 'utf8');
    entries.push(Buffer.concat([u16(tag), u16(2), u32(value.length), u32(cursor)]));
    data.push(value);
    cursor += value.length;
  }
  const header = Buffer.concat([Buffer.from(little ? 'II' : 'MM', 'latin1'), u16(42), u32(ifdStart)]);
  return Buffer.concat([header, u16(tags.length), ...entries, u32(0), ...data]);
}
