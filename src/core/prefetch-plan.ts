/**
 * The prefetch plan: which queued copies start now, which wait, which are
 * dropped, and what each start evicts. A pure function of a snapshot, so the
 * daemon (on the real clock, with real copies) and the simulator (on a
 * simulated clock, with a simulated copier) decide exactly alike.
 */
import { admission, roomFor, type AdmissionRules, type PrefetchPriority } from './admission.js';
import { entryValue, type ValueContext } from './policy/entry-value.js';
import { chooseVictims, type CachedModel, type Victim } from './policy/victims.js';

export interface PendingJob {
  readonly key: string;
  readonly category: string;
  /** Size of the library file; undefined when the library does not have it. */
  readonly bytes: number | undefined;
  /** False while the file's library folder is unreachable. */
  readonly available: boolean;
  /** A cached copy of the same library file is already there. */
  readonly alreadyCached: boolean;
  readonly priority: PrefetchPriority;
  /** Retry back-off: not before this time. */
  readonly notBefore: number;
  /** Pinned on arrival: worth any eviction. */
  readonly pin: boolean;
}

export interface RunningCopy {
  readonly key: string;
  readonly bytes: number;
  readonly copiedBytes: number;
}

export interface PlanInput {
  readonly now: number;
  /** In the order they should run (priority, then arrival). */
  readonly pending: readonly PendingJob[];
  readonly running: readonly RunningCopy[];
  /** Complete cached copies that may be evicted (not those being copied again). */
  readonly cached: readonly CachedModel[];
  /** Bytes of complete cached copies, including any not listed in `cached`. */
  readonly cacheBytes: number;
  readonly freeBytes: number;
  readonly totalBytes: number;
  readonly rules: AdmissionRules & { readonly minFreeBytes: number; readonly concurrency: number };
  readonly context: ValueContext;
}

export type PlanDecision =
  | {
      readonly key: string;
      readonly action: 'start';
      readonly evict: readonly Victim[];
      /** When it evicts: why the newcomer is worth more ("wanted by workflow x.json saved, 1m ago"). */
      readonly because?: string;
    }
  | { readonly key: string; readonly action: 'wait'; readonly reason: string }
  | { readonly key: string; readonly action: 'drop'; readonly code: string; readonly reason: string }
  | { readonly key: string; readonly action: 'done' };

/**
 * How many times more a `warm` job must be worth, per byte, than each model
 * it evicts. A warm job is a guess: a warm-up from history, or a model a run
 * has just read from the NAS (and may not read again soon). Swapping it in
 * costs a copy, and the evicted model may have to be copied back; only a
 * clear gain pays for both. Replayed traces show the difference: without it,
 * warm-ups swapped models in and out all night, copying several times more
 * than they served. A saved workflow or a queued prompt is no guess: it needs
 * only to be worth more than what it evicts.
 */
export const WARM_ADMISSION_MARGIN = 2;

const UNREACHABLE = (key: string) => `the library folder of ${key} is unreachable; it is copied when the folder returns`;

/**
 * Decides for each pending job in turn, as long as copy slots are free.
 * Every decision is taken on the state the earlier ones leave: a start
 * reserves its bytes and removes its victims before the next job is looked at.
 */
export function planPrefetch(input: PlanInput): PlanDecision[] {
  const decisions: PlanDecision[] = [];
  const running = [...input.running];
  let cached = [...input.cached];
  let cacheBytes = input.cacheBytes;
  let freeBytes = input.freeBytes;

  for (const job of input.pending) {
    if (running.length >= input.rules.concurrency) break;
    if (job.notBefore > input.now) continue;
    if (job.bytes === undefined) {
      decisions.push({ key: job.key, action: 'drop', code: 'E_NOT_FOUND', reason: `${job.key} is no longer in the library` });
      continue;
    }
    if (job.alreadyCached) {
      decisions.push({ key: job.key, action: 'done' });
      continue;
    }
    if (!job.available) {
      decisions.push({ key: job.key, action: 'wait', reason: UNREACHABLE(job.key) });
      continue;
    }
    const verdict = admission({ category: job.category, bytes: job.bytes }, input.rules);
    if (!verdict.ok) {
      decisions.push({
        key: job.key,
        action: 'drop',
        code: verdict.reason === 'too-large' ? 'E_TOO_LARGE' : 'E_NOT_ADMITTED',
        reason: verdict.message,
      });
      continue;
    }
    const space = {
      cacheBytes,
      reservedBytes: running.reduce((sum, copy) => sum + copy.bytes, 0),
      pendingWriteBytes: running.reduce((sum, copy) => sum + copy.bytes - copy.copiedBytes, 0),
      freeBytes,
      totalBytes: input.totalBytes,
      maxBytes: input.rules.maxBytes,
      minFreeBytes: input.rules.minFreeBytes,
    };
    const room = roomFor(job.bytes, space);
    if (room.kind === 'never') {
      decisions.push({ key: job.key, action: 'drop', code: 'E_TOO_LARGE', reason: room.message });
      continue;
    }
    let evict: Victim[] = [];
    let because: string | undefined;
    if (room.kind === 'wait') {
      const overQuota = space.maxBytes > 0 ? space.cacheBytes + space.reservedBytes + job.bytes - space.maxBytes : 0;
      const underFloor = space.minFreeBytes - (space.freeBytes - space.pendingWriteBytes - job.bytes);
      const need = Math.max(overQuota, underFloor, 0);
      // Running copies hold room that no eviction can free: wait for them to land (then they may be evicted).
      const evictable = cached.filter((entry) => !entry.pinned).reduce((sum, entry) => sum + entry.bytes, 0);
      if (evictable < need && running.length > 0) {
        decisions.push({ key: job.key, action: 'wait', reason: room.message });
        continue;
      }
      const candidate = entryValue({ key: job.key, bytes: job.bytes }, input.context);
      const admittedValue = job.pin ? Infinity : job.priority === 'warm' ? candidate.value / WARM_ADMISSION_MARGIN : candidate.value;
      const choice = chooseVictims(cached, need, input.context, { key: job.key, value: admittedValue });
      if (!choice.ok) {
        decisions.push({ key: job.key, action: 'drop', code: 'E_NOT_ADMITTED', reason: `not admitted: ${choice.reason}` });
        continue;
      }
      evict = [...choice.victims];
      because = candidate.reason;
      const gone = new Set(evict.map((victim) => victim.key));
      cached = cached.filter((entry) => !gone.has(entry.key));
      cacheBytes -= choice.freedBytes;
      freeBytes += choice.freedBytes;
    }
    running.push({ key: job.key, bytes: job.bytes, copiedBytes: 0 });
    decisions.push({ key: job.key, action: 'start', evict, ...(because === undefined ? {} : { because }) });
  }
  return decisions;
}
