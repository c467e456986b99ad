/**
 * A check of one manifest entry: the hub's current version against the
 * library file's sha256. Nothing is changed; the answer says whether an
 * update is available, and whether a rollback holds that version back.
 */
import { locateTarget, type LocatedTarget } from './locate-target.js';
import type { ManifestEntry } from './manifest.js';
import type { RemoteVersion } from './remote-version.js';
import type { UpdateContext } from './update-context.js';
import type { FileVersion } from '../control/contract/update.js';

export interface Inspection {
  readonly entry: ManifestEntry;
  readonly located: LocatedTarget;
  /** The library file now; null when the library does not have it yet. */
  readonly local: FileVersion | null;
  readonly remote: RemoteVersion;
  readonly status: 'up-to-date' | 'available';
  readonly held: boolean;
}

/** The sha256 of the file the library holds now, from the hash cache when it is unchanged. */
export async function localVersion(context: UpdateContext, located: LocatedTarget, signal?: AbortSignal): Promise<FileVersion | null> {
  if (located.current === undefined) return null;
  const { sha256, identity } = await context.hashes.sha256(located.path, signal ? { signal } : {});
  return { sha256, bytes: identity.size };
}

export async function inspectEntry(context: UpdateContext, entry: ManifestEntry, signal?: AbortSignal): Promise<Inspection> {
  const located = await locateTarget(context.library, entry);
  let local: Promise<FileVersion | null> | undefined;
  const readLocal = () => (local ??= localVersion(context, located, signal));
  const { source } = entry;
  const remote =
    source.hub === 'hf'
      ? await context.hf.resolve(source, signal)
      : await context.civitai.resolve(source, entry.name, async () => (await readLocal())?.sha256, signal);
  const current = await readLocal();
  if (current?.sha256 === remote.sha256) return { entry, located, local: current, remote, status: 'up-to-date', held: false };
  // A gated or private repository lists its files but refuses the bytes: find out now, not in the window.
  if (source.hub === 'hf') await context.hf.confirmAccess(remote, source, signal);
  const held = (await context.history.held(entry.target)).has(remote.sha256);
  return { entry, located, local: current, remote, status: 'available', held };
}
