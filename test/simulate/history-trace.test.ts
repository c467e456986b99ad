import test from 'ava';
import { historyToTrace, type HistoryEntry } from '../../src/core/simulate/history-trace.js';
import { parseTrace, formatTrace } from '../../src/core/simulate/trace.js';

const T0 = Date.UTC(2026, 0, 5, 20);
const ckpt = { key: 'checkpoints/sdxl.safetensors', bytes: 7000 };
const vae = { key: 'vae/sdxl_vae.safetensors', bytes: 300 };
const lora1 = { key: 'loras/one.safetensors', bytes: 100 };
const lora2 = { key: 'loras/two.safetensors', bytes: 200 };

const history: HistoryEntry[] = [
  { t: T0, type: 'save', models: [ckpt, vae, lora1] },
  { t: T0 + 60_000, type: 'run', models: [ckpt, vae, lora1] },
  // The history is in append order: this run started before the one above was recorded.
  { t: T0 + 30_000, type: 'run', models: [ckpt, vae, lora1] },
  { t: T0 + 120_000, type: 'run', models: [ckpt, vae, { key: lora2.key }] },
  { t: T0 + 3 * 3600_000, type: 'run', models: [ckpt, vae, lora2] },
];

test('a history becomes a trace: seconds from the first event, daemon workflow names, only what a run read from disk', (t) => {
  const trace = historyToTrace(history, { sessionGapSeconds: 3600 });
  t.deepEqual(trace.events, [
    { t: 0, type: 'save', workflow: 'checkpoints/sdxl.safetensors', models: [ckpt, vae, lora1] },
    { t: 30, type: 'run', workflow: 'checkpoints/sdxl.safetensors', models: [ckpt, vae, lora1] },
    // ComfyUI still had them loaded: nothing read.
    { t: 60, type: 'run', workflow: 'checkpoints/sdxl.safetensors', models: [] },
    // A swapped LoRA, its size taken from another record of it.
    { t: 120, type: 'run', workflow: 'checkpoints/sdxl.safetensors', models: [lora2] },
    // Three hours later: everything is read again.
    { t: 3 * 3600, type: 'run', workflow: 'checkpoints/sdxl.safetensors', models: [ckpt, vae, lora2] },
  ]);
  t.is(trace.keptLoaded, 3 + 2);
  t.deepEqual(parseTrace(formatTrace(trace.events)), trace.events, 'the export replays');
});

test('with a session gap of 0 every run lists every model; a model never sized is left out and named', (t) => {
  const trace = historyToTrace([...history, { t: T0 + 4 * 3600_000, type: 'run', models: [ckpt, { key: 'loras/mystery.safetensors' }] }], {
    sessionGapSeconds: 0,
  });
  t.deepEqual(
    trace.events.filter((event) => event.type === 'run').map((event) => event.models.length),
    [3, 3, 3, 3, 1],
  );
  t.is(trace.keptLoaded, 0);
  t.deepEqual(trace.unsized, ['loras/mystery.safetensors']);
});

test('an empty history is an empty trace; a run that resolved nothing still has a workflow name', (t) => {
  t.deepEqual(historyToTrace([], { sessionGapSeconds: 3600 }), { events: [], unsized: [], keptLoaded: 0 });
  t.deepEqual(historyToTrace([{ t: T0, type: 'run', models: [] }], { sessionGapSeconds: 3600 }).events, [
    { t: 0, type: 'run', workflow: 'unknown', models: [] },
  ]);
});
