/**
 * A one-shot catalog, scanned once with no watch: for `arenactl predict
 * --library DIR`, which resolves references without a daemon.
 */
import { Catalog } from './catalog.js';
import type { ModelFolder } from './model-folders.js';
import { scanFolder } from './scan.js';

export async function buildCatalog(folders: readonly ModelFolder[]): Promise<Catalog> {
  const catalog = new Catalog(folders);
  const scans = await Promise.all(folders.map((folder) => scanFolder(folder)));
  for (const scan of scans) {
    // A missing folder simply contributes nothing: there is nothing to wait for.
    if (scan.state === 'ok') for (const model of scan.models) catalog.upsert(model);
  }
  return catalog;
}
