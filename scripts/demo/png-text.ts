import { Buffer } from 'node:buffer';
import { crc32, deflateSync } from 'node:zlib';

/**
 * The smallest PNG that carries text: one grey pixel plus `tEXt` chunks, the
 * way ComfyUI's SaveImage stores the `prompt` and `workflow` of a run.
 */

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const typed = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typed));
  return Buffer.concat([length, typed, crc]);
}

function header(): Buffer {
  const data = Buffer.alloc(13);
  data.writeUInt32BE(1, 0); // width
  data.writeUInt32BE(1, 4); // height
  data[8] = 8; // bits per sample
  data[9] = 0; // greyscale; compression, filter and interlace stay 0
  return chunk('IHDR', data);
}

/** `tEXt` is Latin-1 by definition; ComfyUI's JSON is ASCII in practice, which the demo's is. */
function text(keyword: string, value: string): Buffer {
  return chunk('tEXt', Buffer.from(`${keyword}\0${value}`, 'latin1'));
}

export function pngWithText(entries: Readonly<Record<string, string>>): Buffer {
  // One scanline: filter byte 0, then one grey sample.
  const pixels = chunk('IDAT', deflateSync(Buffer.from([0, 0x80])));
  const texts = Object.entries(entries).map(([keyword, value]) => text(keyword, value));
  return Buffer.concat([SIGNATURE, header(), ...texts, pixels, chunk('IEND', Buffer.alloc(0))]);
}
