import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, open, readdir, readFile, rm, stat, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { ExecutionContext } from 'ava';
import sinon from 'sinon';
import type { LogMeta, Logger } from '../../src/log/logger.js';

export const MiB = 1024 * 1024;

/** A fresh folder under the OS temp dir, removed when the test ends. */
export async function tempDir(t: ExecutionContext, prefix = 'arena-cache-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * Writes real random bytes (not a sparse file) and backdates the mtime by an
 * hour, as a library file on a NAS would be, so that any later rewrite moves
 * the mtime even on filesystems with coarse timestamps.
 */
export async function writeRandomFile(path: string, bytes: number): Promise<Buffer> {
  await mkdir(dirname(path), { recursive: true });
  const data = randomBytes(bytes);
  const handle = await open(path, 'w');
  try {
    await handle.write(data, 0, data.length, 0);
  } finally {
    await handle.close();
  }
  const anHourAgo = new Date(Date.now() - 3_600_000);
  await utimes(path, anHourAgo, anHourAgo);
  return data;
}

/** What the catalog would say of a library file. */
export async function describeSource(path: string): Promise<{ path: string; size: number; mtimeMs: number }> {
  const stats = await stat(path);
  return { path, size: stats.size, mtimeMs: stats.mtimeMs };
}

export function sha256Of(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

export async function sha256OfFile(path: string): Promise<string> {
  return sha256Of(await readFile(path));
}

export async function listDir(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch {
    return [];
  }
}

/** Every regular file below dir, as paths relative to it, hidden folders included. */
export async function allFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath ?? entry.path, entry.name).slice(dir.length + 1))
    .sort();
}

/** The spies take a log call's own parameters, so that a test reads the fields it logged as LogMeta, not as any. */
export type LogSpy = sinon.SinonSpy<[message: string, meta?: LogMeta], void>;

export function spyLogger(): Logger & { [K in 'error' | 'warn' | 'info' | 'debug']: LogSpy } {
  const logSpy = (): LogSpy => sinon.spy<Logger['warn']>(() => undefined);
  const logger = {
    error: logSpy(),
    warn: logSpy(),
    info: logSpy(),
    debug: logSpy(),
    child: () => logger,
  };
  return logger;
}
