/**
 * Real files and folders for the library tests: temp folders that clean up
 * after themselves, sparse model files of any size, and a poll-until helper
 * so that tests wait for a condition instead of sleeping.
 */
import { mkdir, mkdtemp, open, rm, utimes } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ExecutionContext } from 'ava';
import type { CatalogEntry } from '../../src/core/catalog-view.js';
import type { ModelFolder } from '../../src/library/model-folders.js';

/** A fresh temp folder, removed when the test ends (pass or fail). */
export async function tempDir(t: ExecutionContext, label = 'library'): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), `arena-${label}-`));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * Writes a sparse file of `size` bytes (creating its folders). `ageMs` backdates
 * the mtime, so that the first scan counts it at once instead of letting it settle.
 */
export async function writeModel(file: string, size: number, ageMs = 60_000): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const handle = await open(file, 'w');
  try {
    await handle.truncate(size);
  } finally {
    await handle.close();
  }
  if (ageMs > 0) {
    const when = new Date(Date.now() - ageMs);
    await utimes(file, when, when);
  }
}

/** Polls `condition` until it holds, failing with `what` after the deadline. */
export async function waitFor(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000, everyMs = 25): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

export function folder(category: string, dir: string, origin = 'test', root?: string): ModelFolder {
  return root === undefined ? { category, dir, origin } : { category, dir, origin, root };
}

/** `category/name@size` for an entry, to compare catalogs in one assertion. */
export function describeEntry(entry: CatalogEntry): string {
  return `${entry.category}/${entry.name}@${entry.size}`;
}
