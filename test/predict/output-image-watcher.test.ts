import test, { type ExecutionContext } from 'ava';
import { mkdir, open, rename, utimes } from 'node:fs/promises';
import path from 'node:path';
import { OutputImageWatcher, type OutputImageWatcherOptions } from '../../src/predict/output-image-watcher.js';
import { runIdOf } from '../../src/predict/run-id.js';
import type { RunSighting } from '../../src/predict/sightings.js';
import { comfyPng, comfyWebp, fakeComfyRoot, readPredictFixture, writeFileIn } from '../helpers/fake-comfy-files.js';
import { pngWith } from '../helpers/image-bytes.js';
import { waitFor } from '../helpers/library-files.js';
import { refLines } from '../helpers/workflow-fixtures.js';
import { recordingLogger, type RecordingLogger } from './recording-logger.js';

const PORTRAIT_API_REFS = [
  '4 checkpoints sdxl/portrait_v3.safetensors',
  '6 embeddings film_grain',
  '10 loras styles\\soft_light.safetensors',
  '11 vae sdxl_vae.safetensors',
];

interface Running {
  watcher: OutputImageWatcher;
  runs: RunSighting[];
  log: RecordingLogger;
  output: string;
  /** Writes an image of a fresh prompt and waits for its run: everything written earlier has been handled by then. */
  barrier: () => Promise<void>;
}

/** A different prompt each time: the portrait prompt with another seed. */
async function promptWithSeed(seed: number): Promise<string> {
  const prompt = JSON.parse(await readPredictFixture('portrait-api.json')) as Record<string, { inputs: Record<string, unknown> }>;
  prompt['3']!.inputs['seed'] = seed;
  return JSON.stringify(prompt);
}

async function startWatcher(t: ExecutionContext, root: string, options: Partial<OutputImageWatcherOptions> = {}): Promise<Running> {
  const log = recordingLogger();
  const watcher = new OutputImageWatcher({ comfyRoot: root, logger: log.logger, checkIntervalMs: 50, ...options });
  const runs: RunSighting[] = [];
  watcher.on('run', (run) => runs.push(run));
  t.teardown(() => watcher.stop());
  await watcher.start();
  const output = path.join(root, 'output');
  let barriers = 0;
  return {
    watcher,
    runs,
    log,
    output,
    barrier: async () => {
      barriers += 1;
      const origin = `output/barrier_${barriers}.png`;
      await writeFileIn(path.join(root, origin), comfyPng({ prompt: await promptWithSeed(1000 + barriers) }));
      await waitFor(() => runs.some((run) => run.origin === origin), `the run of ${origin}`);
    },
  };
}

test('a PNG written slowly in two halves is one run, with the models and id of its prompt', async (t) => {
  const root = await fakeComfyRoot(t);
  const { runs, log, output, barrier } = await startWatcher(t, root);
  const prompt = await readPredictFixture('portrait-api.json');
  const png = comfyPng({ prompt, workflow: await readPredictFixture('portrait-ui.json') });
  const file = path.join(output, 'ComfyUI_00001_.png');
  const handle = await open(file, 'w');
  try {
    // Cut inside the prompt chunk, as ComfyUI's writer would be caught mid-way.
    await handle.write(png.subarray(0, 60));
    await waitFor(() => log.has('debug', /not complete yet/, { file: 'output/ComfyUI_00001_.png' }), 'the watcher to find the image incomplete');
    await handle.write(png.subarray(60));
  } finally {
    await handle.close();
  }
  await waitFor(() => runs.length >= 1, 'the run');
  await barrier();

  t.deepEqual(
    runs.map((run) => run.origin),
    ['output/ComfyUI_00001_.png', 'output/barrier_1.png'],
  );
  const run = runs[0]!;
  t.is(run.kind, 'output-image');
  t.is(run.file, file);
  t.is(run.runId, runIdOf(JSON.parse(prompt)));
  t.is(run.workflow.format, 'api');
  t.deepEqual(refLines(run.workflow.refs), PORTRAIT_API_REFS);
  t.true(run.startedAt <= run.at);
});

test('the images of one run (a batch of four) count once', async (t) => {
  const root = await fakeComfyRoot(t);
  const { runs, output, barrier } = await startWatcher(t, root);
  const png = comfyPng({ prompt: await readPredictFixture('portrait-api.json') });
  await writeFileIn(path.join(output, 'ComfyUI_00001_.png'), png);
  await waitFor(() => runs.length === 1, 'the first image');
  for (const index of [2, 3, 4]) await writeFileIn(path.join(output, `ComfyUI_0000${index}_.png`), png);
  await barrier();
  t.deepEqual(
    runs.map((run) => run.origin),
    ['output/ComfyUI_00001_.png', 'output/barrier_1.png'],
  );
});

test('a WebP carries its run as a PNG does, with the same id for the same prompt', async (t) => {
  const root = await fakeComfyRoot(t);
  const { runs, output } = await startWatcher(t, root);
  const prompt = await promptWithSeed(7);
  await writeFileIn(path.join(output, 'anim', 'clip_00001_.webp'), comfyWebp({ prompt, workflow: await readPredictFixture('portrait-ui.json') }));
  await waitFor(() => runs.length === 1, 'the run of the WebP');
  t.like(runs[0], { kind: 'output-image', origin: 'output/anim/clip_00001_.webp', runId: runIdOf(JSON.parse(prompt)) });
  t.deepEqual(refLines(runs[0]!.workflow.refs), PORTRAIT_API_REFS);
});

test('an image with only a UI workflow is a run named after that workflow', async (t) => {
  const root = await fakeComfyRoot(t);
  const { runs, output } = await startWatcher(t, root);
  const workflow = await readPredictFixture('portrait-ui.json');
  await writeFileIn(path.join(output, 'ui_only.png'), comfyPng({ workflow }));
  await waitFor(() => runs.length === 1, 'the run');
  t.is(runs[0]!.runId, runIdOf(JSON.parse(workflow)));
  t.is(runs[0]!.workflow.format, 'ui');
});

test('images without metadata, old images moved in and other files are ignored quietly', async (t) => {
  const root = await fakeComfyRoot(t);
  await mkdir(path.join(root, 'output', 'restored'));
  const { runs, log, output, barrier } = await startWatcher(t, root);
  await writeFileIn(path.join(output, 'no_metadata.png'), pngWith());
  const old = path.join(root, 'elsewhere', 'old.png');
  await writeFileIn(old, comfyPng({ prompt: await promptWithSeed(3) }));
  const anHourAgo = new Date(Date.now() - 3_600_000);
  await utimes(old, anHourAgo, anHourAgo);
  await writeFileIn(path.join(output, 'restored', 'placeholder.txt'), 'x');
  await rename(old, path.join(output, 'restored', 'old.png'));
  await writeFileIn(path.join(output, 'notes.json'), await readPredictFixture('portrait-api.json'));
  await barrier();

  t.deepEqual(
    runs.map((run) => run.origin),
    ['output/barrier_1.png'],
  );
  t.true(log.has('debug', /ignored/, { file: 'output/no_metadata.png', reason: 'no workflow metadata' }));
  // The moved-in image's event may come in a later batch than the barrier's write.
  await waitFor(() => log.has('debug', /old; not a new run/, { file: 'output/restored/old.png' }), 'the old image to be judged');
  t.deepEqual(
    runs.map((run) => run.origin),
    ['output/barrier_1.png'],
  );
  t.deepEqual([...log.at('warn'), ...log.at('info')], []);
});

test('an output/ folder created after start is found and watched', async (t) => {
  const root = await fakeComfyRoot(t, { output: false });
  const { watcher, runs } = await startWatcher(t, root);
  t.is(watcher.status().state, 'missing');
  await writeFileIn(path.join(root, 'output', 'first.png'), comfyPng({ prompt: await promptWithSeed(11) }));
  await waitFor(() => runs.length === 1, 'the run after output/ appeared');
  t.is(watcher.status().state, 'watching');
  await writeFileIn(path.join(root, 'output', 'second.png'), comfyPng({ prompt: await promptWithSeed(12) }));
  await waitFor(() => runs.length === 2, 'a later run');
  t.deepEqual(
    runs.map((run) => run.origin),
    ['output/first.png', 'output/second.png'],
  );
});
