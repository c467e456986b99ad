import { constants } from 'node:fs';
import { copyFile, lstat, rename } from 'node:fs/promises';
import { errorCode } from '../cache/fs-errors.js';

/** `<file>.bak-20250102T030405Z`: beside the file, named by the time of the change. */
export function backupName(file: string, now: Date): string {
  return `${file}.bak-${now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')}`;
}

/**
 * Copies a file to its timestamped backup before it is changed, and returns
 * where. Two changes within one second get `-2`, `-3`, ... rather than one
 * backup overwriting the other.
 */
export async function backupFile(file: string, now: Date): Promise<string> {
  const base = backupName(file, now);
  for (let attempt = 1; ; attempt++) {
    const target = attempt === 1 ? base : `${base}-${attempt}`;
    try {
      await copyFile(file, target, constants.COPYFILE_EXCL);
      return target;
    } catch (error) {
      if (errorCode(error) !== 'EEXIST') throw error;
    }
  }
}

/** Moves a file aside to `<file>.<label>-<time>` instead of deleting it; returns where. */
export function moveAside(file: string, label: string, now: Date): Promise<string> {
  const base = `${file}.${label}-${now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')}`;
  return renameToFreeName(file, (attempt) => (attempt === 1 ? base : `${base}-${attempt}`));
}

/**
 * Renames `from` to the first of `nameFor(1)`, `nameFor(2)`, ... that is
 * not taken (a link counts as taken), so that nothing earlier is replaced.
 */
export async function renameToFreeName(from: string, nameFor: (attempt: number) => string): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    const target = nameFor(attempt);
    const taken = await lstat(target).then(
      () => true,
      () => false,
    );
    if (taken) continue;
    await rename(from, target);
    return target;
  }
}
