/**
 * Previous versions kept for rollback: `<library root>/.arena/versions/<category>/<name>/`
 * holds one file per version, named `<kept at>-<sha256><ext>`, so that the
 * folder alone says what each file is and which is newest.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { namesInFolder } from './folder-names.js';

export interface KeptVersion {
  readonly file: string;
  readonly sha256: string;
  /** Epoch milliseconds. */
  readonly keptAt: number;
  readonly bytes: number;
}

const NAME = /^(\d{8}T\d{6}\.\d{3}Z)-([0-9a-f]{64})(\.[^/]*)?$/;

export function versionsDirOf(arenaDir: string, target: string): string {
  return path.join(arenaDir, 'versions', ...target.split('/'));
}

function stamp(time: number): string {
  return new Date(time).toISOString().replace(/[-:]/g, '');
}

function parseStamp(text: string): number {
  const iso = `${text.slice(0, 4)}-${text.slice(4, 6)}-${text.slice(6, 11)}:${text.slice(11, 13)}:${text.slice(13)}`;
  return Date.parse(iso);
}

export function keptFileName(sha256: string, keptAt: number, targetName: string): string {
  return `${stamp(keptAt)}-${sha256}${path.extname(targetName)}`;
}

/** Kept versions, newest first. */
export async function listKept(dir: string): Promise<KeptVersion[]> {
  const names = await namesInFolder(dir);
  const kept: KeptVersion[] = [];
  for (const name of names) {
    const match = NAME.exec(name);
    if (!match) continue;
    const file = path.join(dir, name);
    // Removed since the listing: no longer kept.
    const stats = await fs.stat(file).catch(() => undefined);
    if (stats?.isFile()) kept.push({ file, sha256: match[2]!, keptAt: parseStamp(match[1]!), bytes: stats.size });
  }
  return kept.sort((a, b) => b.keptAt - a.keptAt);
}

/** Removes all but the newest `keep` versions, and any older copy of a sha256 kept twice. */
export async function pruneKept(dir: string, keep: number): Promise<KeptVersion[]> {
  const seen = new Set<string>();
  const removed: KeptVersion[] = [];
  let kept = 0;
  for (const version of await listKept(dir)) {
    if (seen.has(version.sha256) || kept >= keep) {
      await fs.rm(version.file, { force: true });
      removed.push(version);
      continue;
    }
    seen.add(version.sha256);
    kept += 1;
  }
  return removed;
}
