/**
 * What becomes of one model someone asks for (a saved workflow, a queued
 * prompt, a miss, a warm-up): nothing when it is cached already, a refusal
 * when the settings or the quota rule it out for good, else a job. The
 * daemon and the simulator both ask here.
 */
import { admission, roomFor, type AdmissionRules, type SkipReason, type SpaceState } from './admission.js';

export type RequestVerdict =
  { readonly kind: 'cached' } | { readonly kind: 'skipped'; readonly reason: SkipReason; readonly message: string } | { readonly kind: 'queue' };

export function requestVerdict(
  model: { readonly category: string; readonly bytes: number; readonly cached: boolean },
  rules: AdmissionRules,
  space: SpaceState,
): RequestVerdict {
  if (model.cached) return { kind: 'cached' };
  const verdict = admission(model, rules);
  if (!verdict.ok) return { kind: 'skipped', reason: verdict.reason, message: verdict.message };
  const room = roomFor(model.bytes, space);
  if (room.kind === 'never') return { kind: 'skipped', reason: 'too-large', message: room.message };
  return { kind: 'queue' };
}
