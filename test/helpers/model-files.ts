import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';

const CHUNK = 8 * 1024 * 1024;

/**
 * Writes a model file of real random bytes (a copy test needs real bytes,
 * not a sparse file), with its mtime set in the past so that a library scan
 * does not wait for it to settle.
 */
export function writeModel(file: string, bytes: number, ageSeconds = 3600): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const fd = fs.openSync(file, 'w');
  try {
    for (let written = 0; written < bytes; written += CHUNK) fs.writeSync(fd, randomBytes(Math.min(CHUNK, bytes - written)));
  } finally {
    fs.closeSync(fd);
  }
  const past = new Date(Date.now() - ageSeconds * 1000);
  fs.utimesSync(file, past, past);
  return file;
}

/** Streamed, so that hashing a big model does not block the test process's other work. */
export async function sha256Of(file: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(fs.createReadStream(file, { highWaterMark: CHUNK }), hash);
  return hash.digest('hex');
}

/** Every file under the cache root except the daemon's own `.arena/`, as `category/name` → absolute path. */
export function visibleCacheFiles(cacheRoot: string): Map<string, string> {
  const files = new Map<string, string>();
  if (!fs.existsSync(cacheRoot)) return files;
  for (const entry of fs.readdirSync(cacheRoot, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const full = path.join(entry.parentPath, entry.name);
    const relative = path.relative(cacheRoot, full).split(path.sep).join('/');
    if (!relative.startsWith('.arena/')) files.set(relative, full);
  }
  return files;
}
