/** The traces the policy benchmark replays: one per profile, six weeks each, fixed seeds. */
import { generateTrace, type GeneratedTrace, type TraceSpec } from './generate-trace.js';
import { PROFILES } from './user-profiles.js';

export const STANDARD_WEEKS = 6;

export const STANDARD_TRACES: ReadonlyArray<TraceSpec & { readonly name: string }> = PROFILES.map((profile, index) => ({
  name: profile.name,
  profile,
  seed: 1000 + index,
  weeks: STANDARD_WEEKS,
}));

export function standardTraces(weeks = STANDARD_WEEKS): Array<{ name: string; spec: TraceSpec; trace: GeneratedTrace }> {
  return STANDARD_TRACES.map(({ name, ...spec }) => ({ name, spec: { ...spec, weeks }, trace: generateTrace({ ...spec, weeks }) }));
}
