import type { TraceEvent, TraceModel } from '../../src/core/simulate/trace.js';

export const GB = 1e9;

/** A model of `gb` gigabytes (decimal), keyed in the checkpoints folder unless the name has a category. */
export function model(name: string, gb: number): TraceModel {
  return { key: name.includes('/') ? name : `checkpoints/${name}.safetensors`, bytes: Math.round(gb * GB) };
}

export function run(t: number, models: readonly TraceModel[], workflow = 'w'): TraceEvent {
  return { t, type: 'run', workflow, models };
}

export function save(t: number, models: readonly TraceModel[], workflow = 'w'): TraceEvent {
  return { t, type: 'save', workflow, models };
}

/** One single-model run a minute, in order: the classic page-reference string. */
export function references(sequence: string, sizes: Readonly<Record<string, number>> = {}): TraceEvent[] {
  return [...sequence.replace(/\s/g, '')].map((name, index) => run(index * 60, [model(name, sizes[name] ?? 1)]));
}
