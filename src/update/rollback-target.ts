/**
 * `arenactl update rollback CATEGORY/NAME [--to VERSION]`: a kept version
 * goes back into place atomically, the file it replaces is kept in turn, the
 * SSD copy is invalidated, and the history records it with a hold, so the
 * next update window does not install the version rolled away from again.
 */
import { NoVersionError, UpdateIoError } from './errors.js';
import { localVersion } from './inspect-entry.js';
import { locateTarget } from './locate-target.js';
import type { SourceRecord } from './remote-version.js';
import { recordSwap, restoreKept, swapContextOf } from './swap.js';
import type { UpdateContext } from './update-context.js';
import type { HistoryRecord } from './update-history.js';
import type { RollbackResult } from '../control/contract/update.js';
import { listKept, versionsDirOf, type KeptVersion } from './versions.js';

export interface RollbackRequest {
  readonly target: string;
  readonly category: string;
  readonly name: string;
  readonly root?: string;
  readonly keep: number;
  /** A sha256 prefix, or the hub version (commit prefix, CivitAI version id) the history recorded for it. */
  readonly to?: string;
}

/** The hub version an installed sha256 came from, per the history. */
export function sourceOf(records: readonly HistoryRecord[], sha256: string): SourceRecord | undefined {
  return records.findLast((record) => record.to.sha256 === sha256 && record.source !== undefined)?.source;
}

export function versionOf(source: SourceRecord | undefined): string | undefined {
  if (source === undefined) return undefined;
  return source.hub === 'hf' ? source.commit : String(source.versionId);
}

function choose(kept: readonly KeptVersion[], to: string | undefined, records: readonly HistoryRecord[], target: string, dir: string): KeptVersion {
  const listing = kept.map((version) => version.sha256.slice(0, 12)).join(', ');
  if (to === undefined) return kept[0]!;
  const wanted = to.toLowerCase();
  const byHash = wanted.length >= 6 ? kept.filter((version) => version.sha256.startsWith(wanted)) : [];
  const byVersion = kept.filter((version) => {
    const hubVersion = versionOf(sourceOf(records, version.sha256))?.toLowerCase();
    return hubVersion !== undefined && (hubVersion === wanted || (wanted.length >= 7 && hubVersion.startsWith(wanted)));
  });
  const matches = [...new Set([...byHash, ...byVersion])];
  if (matches.length === 1) return matches[0]!;
  if (matches.length > 1)
    throw new NoVersionError(`--to ${to} matches ${matches.length} kept versions of ${target}; give more of the sha256 (kept: ${listing})`);
  throw new NoVersionError(`no kept version of ${target} matches --to ${to} (kept in ${dir}: ${listing})`);
}

export async function rollbackTarget(context: UpdateContext, request: RollbackRequest): Promise<RollbackResult> {
  const located = await locateTarget(context.library, request);
  const dir = versionsDirOf(located.arenaDir, request.target);
  const kept = await listKept(dir);
  if (kept.length === 0) {
    throw new NoVersionError(
      `no kept version of ${request.target} in ${dir}; versions are kept from the next update on while the manifest entry has keep: 1 or more`,
    );
  }
  const records = await context.history.list(request.target);
  const chosen = choose(kept, request.to, records, request.target, dir);
  const current = await localVersion(context, located);
  if (current?.sha256 === chosen.sha256) throw new NoVersionError(`${request.target} already is version ${chosen.sha256.slice(0, 12)}`);
  const { sha256: actual } = await context.hashes.sha256(chosen.file);
  if (actual !== chosen.sha256) {
    throw new UpdateIoError(`the kept file ${chosen.file} no longer has the sha256 its name says (it has ${actual}); it was not restored`);
  }
  const swap = await restoreKept(chosen, swapContextOf(context, request.target, located, request.keep, current));
  const source = sourceOf(records, chosen.sha256);
  const to = await recordSwap(
    context,
    { target: request.target, located, current, sha256: chosen.sha256, swap },
    {
      action: 'rollback',
      ...(source === undefined ? {} : { source }),
      trigger: 'manual',
      ...(current === null ? {} : { hold: current.sha256 }),
    },
  );
  context.logger.info('rolled back', {
    target: request.target,
    from: current?.sha256.slice(0, 12) ?? 'none',
    to: chosen.sha256.slice(0, 12),
    ...(swap.keptAs === undefined ? {} : { keptAs: swap.keptAs }),
  });
  return {
    target: request.target,
    path: located.path,
    from: current,
    to,
    ...(swap.keptAs === undefined ? {} : { keptAs: swap.keptAs }),
  };
}
