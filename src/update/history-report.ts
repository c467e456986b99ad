/**
 * `update history`: what the updater installed and rolled back, oldest
 * first, and the versions each target keeps for rollback, each named by the
 * hub version it was installed from when the history knows it.
 */
import { locateTarget, type UpdateLibrary } from './locate-target.js';
import type { ManifestEntry } from './manifest.js';
import { sourceOf, versionOf } from './rollback-target.js';
import { splitTarget } from './tracked-manifest.js';
import type { UpdateHistory } from './update-history.js';
import type { HistoryResult, KeptVersionResult } from '../control/contract/update.js';
import { listKept, versionsDirOf } from './versions.js';

/** The history of one target (a normalised key), or of every target tracked or ever recorded. */
export async function historyReport(
  library: UpdateLibrary,
  history: UpdateHistory,
  tracked: readonly ManifestEntry[],
  target?: string,
): Promise<HistoryResult> {
  const records = await history.list(target);
  const all = target === undefined ? records : await history.list();
  const targets =
    target !== undefined ? [target] : [...new Set([...tracked.map((entry) => entry.target), ...records.map((record) => record.target)])];
  const kept: Array<HistoryResult['kept'][number]> = [];
  for (const name of targets) {
    const root = tracked.find((entry) => entry.target === name)?.root;
    // A target with no library folder (any more) keeps no versions there.
    const located = await locateTarget(library, { ...splitTarget(name), ...(root === undefined ? {} : { root }) }).catch(() => undefined);
    if (located === undefined) continue;
    const versions = await listKept(versionsDirOf(located.arenaDir, name));
    if (versions.length === 0) continue;
    kept.push({
      target: name,
      versions: versions.map((version): KeptVersionResult => {
        const hubVersion = versionOf(sourceOf(all, version.sha256));
        return {
          sha256: version.sha256,
          bytes: version.bytes,
          keptAt: new Date(version.keptAt).toISOString(),
          file: version.file,
          ...(hubVersion === undefined ? {} : { version: hubVersion }),
        };
      }),
    });
  }
  return { records, kept };
}
