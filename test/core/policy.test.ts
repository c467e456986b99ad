import test from 'ava';
import { entryValue, type ValueContext } from '../../src/core/policy/entry-value.js';
import { Predictions } from '../../src/core/policy/predictions.js';
import { trimNeed } from '../../src/core/policy/thresholds.js';
import { UsageModel } from '../../src/core/policy/usage-model.js';
import { warmupCandidates } from '../../src/core/policy/warmup.js';
import { chooseVictims, trimPlan, type CachedModel } from '../../src/core/policy/victims.js';

const HOUR = 3600_000;
const DAY = 24 * HOUR;
const GB = 1e9;
const NOW = Date.UTC(2026, 10, 20, 12);

function context(usage = new UsageModel(), predictions = new Predictions()): ValueContext {
  return { now: NOW, usage, predictions };
}

/** A week of work: the same SDXL workflow every day, a LoRA swapped in now and then. */
function workingWeek(): UsageModel {
  const usage = new UsageModel();
  for (let day = 7; day >= 1; day -= 1) {
    for (let run = 0; run < 2; run += 1) {
      usage.record({
        at: NOW - day * DAY + run * HOUR,
        workflow: 'portrait',
        keys: ['checkpoints/sdxl.safetensors', 'vae/sdxl_vae.safetensors', 'loras/skin.safetensors'],
      });
    }
  }
  return usage;
}

test('a pinned model is never a victim, even when nothing else is left', (t) => {
  const entries: CachedModel[] = [
    { key: 'checkpoints/pinned.safetensors', bytes: 7 * GB, pinned: true, cachedAt: NOW - 30 * DAY },
    { key: 'loras/old.safetensors', bytes: 1 * GB, cachedAt: NOW - 30 * DAY },
  ];
  const plan = trimPlan(entries, 0, context());
  t.deepEqual(
    plan.map((victim) => victim.key),
    ['loras/old.safetensors'],
  );
  const choice = chooseVictims(entries, 5 * GB, context());
  t.false(choice.ok);
  t.regex((choice as { reason: string }).reason, /without touching pinned models/);
  t.deepEqual(entryValue(entries[0]!, context()), { value: Infinity, reason: 'pinned' });
});

test('the least valuable goes first: never used, then long unused, then the working set', (t) => {
  const usage = workingWeek();
  usage.record({ at: NOW - 20 * DAY, workflow: 'anime', keys: ['checkpoints/anime.safetensors'] });
  const entries: CachedModel[] = [
    { key: 'checkpoints/sdxl.safetensors', bytes: 7 * GB, cachedAt: NOW - 8 * DAY },
    { key: 'checkpoints/anime.safetensors', bytes: 7 * GB, cachedAt: NOW - 20 * DAY },
    { key: 'checkpoints/adopted.safetensors', bytes: 7 * GB, cachedAt: NOW - 1 * DAY },
  ];
  const plan = trimPlan(entries, 7 * GB, context(usage));
  t.deepEqual(
    plan.map((victim) => victim.key),
    ['checkpoints/adopted.safetensors', 'checkpoints/anime.safetensors'],
  );
  t.is(plan[0]!.reason, 'never used since it was cached');
});

test('admission control: a one-off 24 GB model does not flush a week of working set', (t) => {
  const usage = workingWeek();
  usage.record({ at: NOW - 5 * 60_000, workflow: 'experiment', keys: ['checkpoints/huge-oneoff.safetensors'] });
  const entries: CachedModel[] = [
    { key: 'checkpoints/sdxl.safetensors', bytes: 7 * GB, cachedAt: NOW - 8 * DAY },
    { key: 'vae/sdxl_vae.safetensors', bytes: 0.3 * GB, cachedAt: NOW - 8 * DAY },
    { key: 'loras/skin.safetensors', bytes: 0.2 * GB, cachedAt: NOW - 8 * DAY },
  ];
  const candidate = entryValue({ key: 'checkpoints/huge-oneoff.safetensors', bytes: 24 * GB }, context(usage));
  const choice = chooseVictims(entries, 20 * GB, context(usage), { key: 'checkpoints/huge-oneoff.safetensors', value: candidate.value });
  t.false(choice.ok);
  t.regex(
    (choice as { reason: string }).reason,
    /^making room for checkpoints\/huge-oneoff\.safetensors would evict .* which is worth more to keep$/,
  );
});

test('admission control lets a freshly saved workflow push out what nobody uses any more', (t) => {
  const usage = new UsageModel();
  usage.record({ at: NOW - 25 * DAY, workflow: 'old', keys: ['checkpoints/old.safetensors'] });
  const predictions = new Predictions();
  predictions.add({ keys: ['checkpoints/flux.safetensors'], at: NOW - 3 * 60_000, priority: 'workflow', origin: 'workflow flux.json saved' });
  const entries: CachedModel[] = [{ key: 'checkpoints/old.safetensors', bytes: 12 * GB, cachedAt: NOW - 25 * DAY }];
  const candidate = entryValue({ key: 'checkpoints/flux.safetensors', bytes: 12 * GB }, context(usage, predictions));
  t.is(candidate.reason, 'wanted by workflow flux.json saved, 3m 0s ago');
  const choice = chooseVictims(entries, 12 * GB, context(usage, predictions), { key: 'checkpoints/flux.safetensors', value: candidate.value });
  t.true(choice.ok);
  t.deepEqual(choice.ok ? choice.victims.map((victim) => victim.key) : [], ['checkpoints/old.safetensors']);
});

test('reasons say why an entry is kept', (t) => {
  const usage = workingWeek();
  t.is(entryValue({ key: 'checkpoints/sdxl.safetensors', bytes: 7 * GB }, context(usage)).reason, 'used 14× this week, 14× in all');
  const predictions = new Predictions();
  predictions.add({ keys: ['checkpoints/sdxl.safetensors'], at: NOW - 60_000, priority: 'workflow', origin: 'workflow portrait.json saved' });
  t.is(entryValue({ key: 'loras/skin.safetensors', bytes: 0.2 * GB }, context(usage, predictions)).reason, 'used 14× this week, 14× in all');
  t.is(entryValue({ key: 'checkpoints/x.safetensors', bytes: GB }, context()).reason, 'never used since it was cached');
});

test('co-usage: a LoRA always used with the predicted checkpoint is worth more than an unrelated one', (t) => {
  const usage = new UsageModel();
  for (let i = 0; i < 4; i += 1)
    usage.record({ at: NOW - 10 * DAY + i * HOUR, workflow: 'a', keys: ['checkpoints/a.safetensors', 'loras/with-a.safetensors'] });
  for (let i = 0; i < 4; i += 1)
    usage.record({ at: NOW - 10 * DAY + i * HOUR, workflow: 'b', keys: ['checkpoints/b.safetensors', 'loras/with-b.safetensors'] });
  const predictions = new Predictions();
  predictions.add({ keys: ['checkpoints/a.safetensors'], at: NOW, priority: 'urgent', origin: 'prompt 1' });
  const withA = entryValue({ key: 'loras/with-a.safetensors', bytes: GB }, context(usage, predictions));
  const withB = entryValue({ key: 'loras/with-b.safetensors', bytes: GB }, context(usage, predictions));
  t.true(withA.value > withB.value);
  t.is(withA.reason, 'often used with checkpoints/a.safetensors, which is predicted');
});

test('predictions fade: a save from yesterday counts far less than one from three minutes ago', (t) => {
  const predictions = new Predictions();
  predictions.add({ keys: ['a'], at: NOW - 3 * 60_000, priority: 'workflow', origin: 'w' });
  predictions.add({ keys: ['b'], at: NOW - 20 * HOUR, priority: 'workflow', origin: 'w' });
  predictions.add({ keys: ['c'], at: NOW - 25 * HOUR, priority: 'urgent', origin: 'w' });
  t.true(predictions.of('a', NOW)!.strength > 10 * predictions.of('b', NOW)!.strength);
  t.is(predictions.of('c', NOW), undefined, 'forgotten after a day');
});

test('thresholds: over the quota, trim to the low-water mark; under the free-space floor, trim below it with hysteresis', (t) => {
  t.deepEqual(trimNeed({ cacheBytes: 60 * GB, freeBytes: 200 * GB }, { maxBytes: 64 * GB, lowWater: 0.9, minFreeBytes: 10 * GB }), { needed: false });
  const over = trimNeed({ cacheBytes: 65 * GB, freeBytes: 200 * GB }, { maxBytes: 64 * GB, lowWater: 0.9, minFreeBytes: 10 * GB });
  t.like(over, { needed: true, targetBytes: 57.6 * GB });
  t.regex((over as { reason: string }).reason, /^the cache holds 65\.0 GB, over its 64\.0 GB quota; trimming to 57\.6 GB$/);
  const full = trimNeed({ cacheBytes: 60 * GB, freeBytes: 4 * GB }, { maxBytes: 0, lowWater: 0.9, minFreeBytes: 5 * GB });
  t.like(full, { needed: true, targetBytes: 53 * GB });
  const both = trimNeed({ cacheBytes: 70 * GB, freeBytes: 1 * GB }, { maxBytes: 64 * GB, lowWater: 0.9, minFreeBytes: 5 * GB });
  t.like(both, { needed: true, targetBytes: 57.6 * GB }, 'the lower target wins');
});

test('the usage model predicts the next workflow from what followed before and from the hour of the week', (t) => {
  const usage = new UsageModel();
  // Every day for two weeks: portraits at 09:00, then an upscale pass.
  for (let day = 14; day >= 1; day -= 1) {
    usage.record({ at: NOW - day * DAY - 3 * HOUR, workflow: 'portrait', keys: ['checkpoints/sdxl.safetensors'] });
    usage.record({ at: NOW - day * DAY - 2 * HOUR, workflow: 'upscale', keys: ['upscale_models/4x.pth'] });
  }
  usage.record({ at: NOW - 10 * 60_000, workflow: 'portrait', keys: ['checkpoints/sdxl.safetensors'] });
  const next = usage.likelyNextWorkflows(NOW);
  t.is(next[0]!.workflow, 'upscale');
  t.deepEqual(usage.workflowKeys('upscale'), ['upscale_models/4x.pth']);
});

test('what followed the last workflow counts less as hours pass since the last run', (t) => {
  const usage = new UsageModel();
  // Each evening: portraits, then an upscale pass; the last run is the portrait.
  for (let day = 3; day >= 1; day -= 1) {
    usage.record({ at: NOW - day * DAY - 2 * HOUR, workflow: 'portrait', keys: ['checkpoints/sdxl.safetensors'] });
    usage.record({ at: NOW - day * DAY - 1 * HOUR, workflow: 'upscale', keys: ['upscale_models/4x.pth'] });
  }
  usage.record({ at: NOW, workflow: 'portrait', keys: ['checkpoints/sdxl.safetensors'] });
  const follows = (later: number) => usage.likelyNextWorkflows(NOW + later).find((next) => next.workflow === 'upscale')?.score ?? 0;
  // Ten minutes later no hour-of-week signal points at the upscale pass yet: the habit alone scores it.
  t.true(follows(10 * 60_000) > 0.4);
  t.true(follows(10 * HOUR) < follows(10 * 60_000) / 16, 'ten hours later the habit has faded');
});

test('warm-up proposes the uncached models of the workflow that usually comes next', (t) => {
  const usage = new UsageModel();
  for (let day = 10; day >= 1; day -= 1) {
    usage.record({ at: NOW - day * DAY - 3 * HOUR, workflow: 'portrait', keys: ['checkpoints/sdxl', 'loras/skin'] });
    usage.record({ at: NOW - day * DAY - 2 * HOUR, workflow: 'upscale', keys: ['upscale_models/4x', 'checkpoints/sdxl'] });
  }
  usage.record({ at: NOW - 5 * 60_000, workflow: 'portrait', keys: ['checkpoints/sdxl', 'loras/skin'] });
  const cached = new Set(['checkpoints/sdxl', 'loras/skin']);
  const candidates = warmupCandidates(usage, NOW, (key) => cached.has(key));
  t.deepEqual(
    candidates.map((candidate) => [candidate.key, candidate.workflow]),
    [['upscale_models/4x', 'upscale']],
  );
  t.deepEqual(
    warmupCandidates(new UsageModel(), NOW, () => false),
    [],
    'no history, no guesses',
  );
});

test('freeing a little takes the entry that costs least in all, not a big model that happens to be cheap per byte', (t) => {
  const predictions = new Predictions();
  predictions.add({ keys: ['checkpoints/big', 'loras/small'], at: NOW - 60_000, priority: 'workflow', origin: 'w' });
  const entries: CachedModel[] = [
    { key: 'checkpoints/big', bytes: 7 * GB, cachedAt: NOW - HOUR },
    { key: 'loras/small', bytes: 0.2 * GB, cachedAt: NOW - HOUR },
  ];
  const choice = chooseVictims(entries, 0.1 * GB, context(new UsageModel(), predictions));
  t.true(choice.ok);
  t.deepEqual(choice.ok ? choice.victims.map((victim) => victim.key) : [], ['loras/small']);
  const large = chooseVictims(entries, 1 * GB, context(new UsageModel(), predictions));
  t.deepEqual(large.ok ? large.victims.map((victim) => victim.key) : [], ['checkpoints/big'], 'only the big one covers the need');
});
