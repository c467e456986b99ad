import { Buffer } from 'node:buffer';
import { WorkflowError } from './workflow-error.js';
import { decodeUtf8 } from './text-decoding.js';

const UTF8_BOM = [0xef, 0xbb, 0xbf] as const;
/** Characters a JSON document can start with. Anything else is not JSON at all. */
const JSON_START = /^[{["\-0-9tfn]/;

/** Parses a workflow file's bytes as JSON, with a one-line reason on failure. */
export function parseJsonBytes(bytes: Uint8Array): unknown {
  if (bytes.length === 0) throw new WorkflowError('empty file');
  const bom = UTF8_BOM.every((byte, index) => bytes[index] === byte) ? UTF8_BOM.length : 0;
  const text = decodeUtf8(bytes.subarray(bom));
  const start = text.search(/\S/);
  if (start === -1) throw new WorkflowError('empty file: it holds only whitespace');
  if (!JSON_START.test(text.slice(start, start + 1))) {
    const head = Buffer.from(bytes.subarray(0, 4))
      .toString('hex')
      .replace(/(..)(?!$)/g, '$1 ');
    throw new WorkflowError(`not a workflow: the file is not JSON, PNG or WebP (it starts with bytes ${head})`);
  }
  return parseJsonText(text, (position) => bom + Buffer.byteLength(text.slice(0, position)), bytes.length);
}

/**
 * JSON.parse with V8's error turned into a reason: "truncated JSON at byte N"
 * when the text ends early (a file caught while being written), else
 * "invalid JSON at byte N: ...".
 */
export function parseJsonText(
  text: string,
  byteOffset: (position: number) => number = (position) => Buffer.byteLength(text.slice(0, position)),
  totalBytes: number = Buffer.byteLength(text),
): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new WorkflowError(jsonFailure(error, text, byteOffset, totalBytes), { cause: error });
  }
}

function jsonFailure(error: unknown, text: string, byteOffset: (position: number) => number, totalBytes: number): string {
  const message = error instanceof Error ? error.message : String(error);
  if (message.includes('end of JSON input')) return `truncated JSON at byte ${totalBytes}`;
  const positioned = /^(.*?) (?:in JSON )?at position (\d+)/s.exec(message);
  if (positioned !== null) {
    const position = Number(positioned[2]);
    if (position >= text.trimEnd().length) return `truncated JSON at byte ${totalBytes}`;
    return `invalid JSON at byte ${byteOffset(position)}: ${positioned[1]}`;
  }
  // V8 quotes the offending source after the reason; the source can be huge, so keep only the reason.
  const quoted = /^(.*?), .* is not valid JSON$/s.exec(message);
  return `invalid JSON: ${quoted === null ? message.slice(0, 200) : quoted[1]!}`;
}
