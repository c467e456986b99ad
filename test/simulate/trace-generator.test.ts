import test from 'ava';
import { formatTrace, parseTrace } from '../../src/core/simulate/trace.js';
import { generateTrace } from '../../scripts/traces/generate-trace.js';
import { buildLibrary, libraryBytes } from '../../scripts/traces/model-library.js';
import { TraceRandom } from '../../scripts/traces/random.js';
import { STANDARD_TRACES } from '../../scripts/traces/standard-traces.js';
import { PROFILES, profileNamed } from '../../scripts/traces/user-profiles.js';

const GB = 1e9;
const MB = 1e6;
const DAY = 86_400;

test('the same profile, seed and length give the same trace; another seed another one', (t) => {
  const spec = { profile: profileNamed('flux-power')!, seed: 11, weeks: 2 };
  const first = generateTrace(spec);
  t.deepEqual(generateTrace(spec), first);
  t.notDeepEqual(generateTrace({ ...spec, seed: 12 }).events, first.events);
  t.deepEqual(parseTrace(formatTrace(first.events)), first.events, 'a valid trace, in time order');
});

test('the library holds about 500 GB of models with the sizes such files have', (t) => {
  const library = buildLibrary(new TraceRandom(5), 42);
  const total = libraryBytes(library);
  t.true(total > 450 * GB && total < 560 * GB, `${total / GB} GB`);
  const sizes = (predicate: (key: string) => boolean) => library.filter((model) => predicate(model.key)).map((model) => model.bytes);
  const within = (values: number[], min: number, max: number) => values.length > 0 && values.every((value) => value >= min && value <= max);
  t.true(
    within(
      sizes((key) => key.startsWith('checkpoints/sd15/')),
      2 * GB,
      4.3 * GB,
    ),
  );
  t.true(
    within(
      sizes((key) => /^checkpoints\/sdxl\/sdxl-\d+/.test(key)),
      6.4 * GB,
      7 * GB,
    ),
  );
  t.true(
    within(
      sizes((key) => key.startsWith('diffusion_models/') && key.includes('fp8')),
      11.9 * GB,
      11.9 * GB,
    ),
  );
  t.true(
    within(
      sizes((key) => key.startsWith('diffusion_models/') && !key.includes('fp8')),
      23.8 * GB,
      23.8 * GB,
    ),
  );
  t.true(
    within(
      sizes((key) => key.startsWith('text_encoders/t5')),
      4.8 * GB,
      10 * GB,
    ),
  );
  t.true(
    within(
      sizes((key) => key.startsWith('loras/')),
      20 * MB,
      900 * MB,
    ),
  );
  t.true(
    within(
      sizes((key) => key.startsWith('controlnet/')),
      1.45 * GB,
      2.5 * GB,
    ),
  );
  t.true(
    within(
      sizes((key) => key.startsWith('vae/')),
      160 * MB,
      335 * MB,
    ),
  );
  t.true(
    within(
      sizes((key) => key.startsWith('upscale_models/')),
      60 * MB,
      67 * MB,
    ),
  );
  const late = library.filter((model) => model.availableFrom > 0);
  t.true(late.length > 0 && late.every((model) => ['base', 'lora'].includes(model.role)), 'new checkpoints and LoRAs come out during the trace');
});

test('a user works in sessions: a session starts by reading a whole workflow, later runs read a swapped LoRA or nothing', (t) => {
  const trace = generateTrace({ profile: profileNamed('mixed')!, seed: 4, weeks: 3 });
  const runs = trace.events.filter((event) => event.type === 'run');
  // Sessions are separated by at least half an hour of silence.
  const starts = runs.filter((event, index) => index === 0 || event.t - runs[index - 1]!.t > 1800);
  t.is(starts.length, trace.sessions);
  for (const start of starts)
    t.true(
      start.models.some((model) => /^(checkpoints|diffusion_models)\//.test(model.key)),
      `a session starts by loading a base model (t ${start.t})`,
    );
  const later = runs.filter((event) => !starts.includes(event));
  t.true(later.filter((event) => event.models.length === 0).length > later.length / 2, 'most runs read nothing new');
  t.true(
    later.some((event) => event.models.length === 1 && event.models[0]!.key.startsWith('loras/')),
    'some runs swap in a LoRA',
  );
  const hours = starts.map((event) => (event.t % DAY) / 3600);
  t.true(
    hours.every((hour) => hour >= 10 && hour <= 23.5),
    'afternoons and evenings',
  );
});

test('some runs follow a save of their workflow, most do not, and some saves are never run', (t) => {
  const trace = generateTrace({ profile: profileNamed('sdxl-hobbyist')!, seed: 9, weeks: 6 });
  const saves = trace.events.filter((event) => event.type === 'save');
  const runs = trace.events.filter((event) => event.type === 'run' && event.models.length > 0);
  const savedBefore = runs.filter((event) => saves.some((save) => save.workflow === event.workflow && save.t <= event.t && event.t - save.t < 900));
  t.true(savedBefore.length > 0 && savedBefore.length < runs.length / 2, `${savedBefore.length} of ${runs.length}`);
  const ranWorkflows = new Set(runs.map((event) => event.workflow));
  t.true(
    saves.some((save) => !ranWorkflows.has(save.workflow)),
    'a workflow found elsewhere and never run',
  );
});

test('popularity drifts: the favourite workflow of the first weeks is not that of the last', (t) => {
  const favourite = (events: ReturnType<typeof generateTrace>['events'], from: number, to: number) => {
    const counts = new Map<string, number>();
    for (const event of events)
      if (event.type === 'run' && event.t >= from * 7 * DAY && event.t < to * 7 * DAY)
        counts.set(event.workflow, (counts.get(event.workflow) ?? 0) + 1);
    return [...counts].sort((a, b) => b[1] - a[1])[0]?.[0];
  };
  const drifted = STANDARD_TRACES.filter((spec) => {
    const { events } = generateTrace(spec);
    return favourite(events, 0, 2) !== favourite(events, spec.weeks - 2, spec.weeks);
  });
  t.true(drifted.length >= 2, `${drifted.length} of ${STANDARD_TRACES.length} standard traces changed favourite`);
  t.is(new Set(STANDARD_TRACES.map((spec) => spec.profile.name)).size, PROFILES.length);
});
