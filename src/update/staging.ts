/**
 * Downloads in progress: `<library root>/.arena/staging/<sha256>.<target id>.part`,
 * beside a `.json` that records what the bytes must become (size, sha256,
 * the server's ETag). A paused or interrupted download stays here and
 * resumes from its size; a partial whose record is missing or different
 * starts over.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { z } from 'zod';
import { redactJson } from '../log/redact.js';
import { namesInFolder } from './folder-names.js';

const recordSchema = z.object({
  target: z.string(),
  sha256: z.string(),
  bytes: z.number(),
  exactSize: z.boolean(),
  version: z.string(),
  label: z.string(),
  etag: z.string().optional(),
  updatedAt: z.string(),
});

export type StagingRecord = z.infer<typeof recordSchema>;

export interface StagedFiles {
  readonly dir: string;
  readonly part: string;
  readonly record: string;
}

export function stagingDirOf(arenaDir: string): string {
  return path.join(arenaDir, 'staging');
}

/** Named by content and target, so a resumed download finds its bytes whatever CDN URL serves them next time. */
export function stagedFiles(arenaDir: string, sha256: string, target: string): StagedFiles {
  const dir = stagingDirOf(arenaDir);
  const base = `${sha256}.${createHash('sha256').update(target).digest('hex').slice(0, 12)}`;
  return { dir, part: path.join(dir, `${base}.part`), record: path.join(dir, `${base}.json`) };
}

export async function readRecord(files: StagedFiles): Promise<StagingRecord | undefined> {
  try {
    const parsed = recordSchema.safeParse(JSON.parse(await fs.readFile(files.record, 'utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    // No record, or one cut short: the partial cannot be trusted and starts over.
    return undefined;
  }
}

/** Redacted: the label and the ETag come from the hub. */
export async function writeRecord(files: StagedFiles, record: StagingRecord): Promise<void> {
  await writeFileAtomic(files.record, JSON.stringify(redactJson(record)));
}

export async function discardStaged(files: StagedFiles): Promise<void> {
  await Promise.all([fs.rm(files.part, { force: true }), fs.rm(files.record, { force: true })]);
}

export interface StagedPartial extends StagingRecord {
  readonly files: StagedFiles;
  readonly bytesDone: number;
}

/** The partial downloads of a staging folder, each with its record and its size so far. */
export async function listStaged(arenaDir: string): Promise<StagedPartial[]> {
  const dir = stagingDirOf(arenaDir);
  const names = await namesInFolder(dir);
  const partials: StagedPartial[] = [];
  for (const name of names.filter((entry) => entry.endsWith('.json'))) {
    const base = name.slice(0, -'.json'.length);
    const files = { dir, part: path.join(dir, `${base}.part`), record: path.join(dir, name) };
    const record = await readRecord(files);
    // A record whose part is gone has nothing to resume.
    const size = await fs.stat(files.part).then(
      (stats) => stats.size,
      () => undefined,
    );
    if (record !== undefined && size !== undefined) partials.push({ ...record, files, bytesDone: size });
  }
  return partials;
}

/**
 * Removes what no wanted download needs: partials for which `keep` says no,
 * and `.part` files without a record (the record is written before the first
 * byte, so such a file is never a download that is just starting).
 */
export async function pruneStaging(arenaDir: string, keep: (partial: StagedPartial) => boolean): Promise<number> {
  const dir = stagingDirOf(arenaDir);
  const partials = await listStaged(arenaDir);
  let removed = 0;
  for (const partial of partials) {
    if (keep(partial)) continue;
    await discardStaged(partial.files);
    removed += 1;
  }
  const names = await namesInFolder(dir);
  for (const name of names.filter((entry) => entry.endsWith('.part'))) {
    if (names.includes(`${name.slice(0, -'.part'.length)}.json`)) continue;
    await fs.rm(path.join(dir, name), { force: true });
    removed += 1;
  }
  return removed;
}
