/**
 * The identity of a generation run. ComfyUI hands out the same API prompt in
 * two places: as the third element of its queue entry while it runs, and as
 * the `prompt` text embedded in each image it saves. Both are JSON from
 * Python, whose key order we must not depend on, so the id is the sha256 of a
 * canonical form: object keys sorted at every depth, no whitespace.
 */
import { createHash } from 'node:crypto';

/** JSON text with object keys sorted recursively; equal values give equal text whatever their key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item)).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const record = value as Record<string, unknown>;
    const fields = Object.keys(record)
      .sort()
      .filter((key) => record[key] !== undefined)
      .map((key) => `${JSON.stringify(key)}:${canonicalJson(record[key])}`);
    return `{${fields.join(',')}}`;
  }
  // Like JSON.stringify, a value JSON cannot hold (a function, undefined) becomes null.
  return JSON.stringify(value) ?? 'null';
}

/** The run id of a prompt (or, for an image without one, of its UI workflow): sha256 hex of its canonical JSON. */
export function runIdOf(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex');
}
