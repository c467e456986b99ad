import test, { type ExecutionContext } from 'ava';
import path from 'node:path';
import sinon from 'sinon';
import {
  ComfyQueueWatcher,
  type ComfyQueueStatus,
  type ComfyQueueWatcherOptions,
  type FetchFunction,
} from '../../src/predict/comfy-queue-watcher.js';
import { ComfyUrlError } from '../../src/predict/errors.js';
import { OutputImageWatcher } from '../../src/predict/output-image-watcher.js';
import { RunDeduper } from '../../src/predict/run-deduper.js';
import { runIdOf } from '../../src/predict/run-id.js';
import type { RunSighting, WorkflowSighting } from '../../src/predict/sightings.js';
import { silentLogger } from '../../src/log/logger.js';
import { FakeComfy, queueItem } from '../helpers/fake-comfy.js';
import { comfyPng, fakeComfyRoot, readPredictFixture, writeFileIn } from '../helpers/fake-comfy-files.js';
import { waitFor } from '../helpers/library-files.js';
import { refLines } from '../helpers/workflow-fixtures.js';
import { recordingLogger, type RecordingLogger } from './recording-logger.js';

interface Running {
  watcher: ComfyQueueWatcher;
  sightings: WorkflowSighting[];
  runs: RunSighting[];
  transitions: ComfyQueueStatus[];
  log: RecordingLogger;
  /** Waits for `count` more requests to have been answered: the queue as set now has been seen. */
  polls: (count?: number) => Promise<void>;
}

function startWatcher(t: ExecutionContext, fake: FakeComfy, options: Partial<ComfyQueueWatcherOptions> = {}): Running {
  const log = recordingLogger();
  const watcher = new ComfyQueueWatcher({ url: fake.url, logger: log.logger, intervalMs: 10, ...options });
  const sightings: WorkflowSighting[] = [];
  const runs: RunSighting[] = [];
  const transitions: ComfyQueueStatus[] = [];
  watcher.on('sighting', (sighting) => sightings.push(sighting));
  watcher.on('run', (run) => runs.push(run));
  watcher.on('reachability', (status) => transitions.push(status));
  t.teardown(() => watcher.stop());
  watcher.start();
  return {
    watcher,
    sightings,
    runs,
    transitions,
    log,
    polls: async (count = 2) => {
      // The request after the next one began after now, so it saw the current queue, and has been applied once pollNow returns.
      const target = fake.requests + count;
      await waitFor(() => fake.requests >= target, `${count} more polls`);
      await watcher.pollNow();
    },
  };
}

async function portraitPrompt(seed = 1): Promise<Record<string, unknown>> {
  const prompt = JSON.parse(await readPredictFixture('portrait-api.json')) as Record<string, { inputs: Record<string, unknown> }>;
  prompt['3']!.inputs['seed'] = seed;
  return prompt;
}

/** The same prompt with its keys, at every depth, in reverse order: as another JSON writer might send it. */
function reversedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reversedKeys);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .reverse()
      .map(([key, inner]) => [key, reversedKeys(inner)]),
  );
}

const PORTRAIT_API_REFS = [
  '4 checkpoints sdxl/portrait_v3.safetensors',
  '6 embeddings film_grain',
  '10 loras styles\\soft_light.safetensors',
  '11 vae sdxl_vae.safetensors',
];

test('a pending prompt is one sighting, however many polls see it', async (t) => {
  const fake = await FakeComfy.start(t);
  const { watcher, sightings, runs, polls } = startWatcher(t, fake);
  fake.pending = [queueItem(7, 'p-7', await portraitPrompt())];
  await waitFor(() => sightings.length === 1, 'the sighting');
  await polls(5);
  t.is(sightings.length, 1);
  t.like(sightings[0], { kind: 'prompt-queued', origin: 'prompt p-7', promptId: 'p-7' });
  t.deepEqual(refLines(sightings[0]!.workflow.refs), PORTRAIT_API_REFS);
  t.deepEqual(runs, []);
  t.like(watcher.status(), { reachable: true, url: fake.url });
});

test('a running prompt is one run, started when it was first seen running', async (t) => {
  const fake = await FakeComfy.start(t);
  const { sightings, runs, polls } = startWatcher(t, fake);
  const prompt = await portraitPrompt();
  fake.pending = [queueItem(1, 'p-1', prompt)];
  await waitFor(() => sightings.length === 1, 'the sighting of the pending prompt');
  const beforeRunning = Date.now();
  fake.pending = [];
  fake.running = [queueItem(1, 'p-1', prompt)];
  await waitFor(() => runs.length === 1, 'the run');
  await polls(5);

  t.is(sightings.length, 1);
  t.is(runs.length, 1);
  const run = runs[0]!;
  t.like(run, { kind: 'prompt-running', origin: 'prompt p-1', promptId: 'p-1', runId: runIdOf(prompt) });
  t.true(run.startedAt >= beforeRunning && run.startedAt === run.at);
  t.deepEqual(refLines(run.workflow.refs), PORTRAIT_API_REFS);
});

test('a run seen running in the queue and then in its image counts once, under one id', async (t) => {
  const fake = await FakeComfy.start(t);
  const root = await fakeComfyRoot(t);
  const deduper = new RunDeduper();
  const queue = startWatcher(t, fake, { deduper });
  const imageLog = recordingLogger();
  const images = new OutputImageWatcher({ comfyRoot: root, logger: imageLog.logger, deduper });
  const imageRuns: RunSighting[] = [];
  images.on('run', (run) => imageRuns.push(run));
  t.teardown(() => images.stop());
  await images.start();

  const prompt = await portraitPrompt(42);
  // ComfyUI's JSON may order keys differently from the image's text: the id does not depend on it.
  fake.running = [queueItem(3, 'p-3', reversedKeys(prompt))];
  await waitFor(() => queue.runs.length === 1, 'the running prompt');
  fake.running = [];
  await writeFileIn(path.join(root, 'output', 'ComfyUI_00001_.png'), comfyPng({ prompt: JSON.stringify(prompt) }));
  await waitFor(
    () => imageLog.has('debug', /of a run already counted/, { file: 'output/ComfyUI_00001_.png', runId: runIdOf(prompt) }),
    'the image to be recognised as the same run',
  );
  // The image watcher still announces other runs.
  await writeFileIn(path.join(root, 'output', 'ComfyUI_00002_.png'), comfyPng({ prompt: JSON.stringify(await portraitPrompt(43)) }));
  await waitFor(() => imageRuns.length === 1, 'the image of the other prompt');

  t.is(queue.runs[0]!.runId, runIdOf(prompt));
  t.deepEqual(
    imageRuns.map((run) => run.origin),
    ['output/ComfyUI_00002_.png'],
  );
  t.is(deduper.size, 2);
  t.false(imageRuns.some((run) => run.runId === runIdOf(prompt)));
});

test('ComfyUI going down and coming back is one info line each way, and status says why', async (t) => {
  const fake = await FakeComfy.start(t);
  let attempts = 0;
  const counting: FetchFunction = (url, init) => {
    attempts += 1;
    return fetch(url, init);
  };
  const { watcher, transitions, log } = startWatcher(t, fake, { intervalMs: 5, maxIntervalMs: 20, fetch: counting });
  await waitFor(() => watcher.status().reachable === true, 'the first answer');
  await fake.stop();
  await waitFor(() => watcher.status().reachable === false, 'ComfyUI to be seen down');
  const downSince = watcher.status().since;
  const attemptsWhenDown = attempts;
  await waitFor(() => attempts >= attemptsWhenDown + 8, 'many failed polls');

  t.like(watcher.status(), {
    reachable: false,
    url: fake.url,
    error: `ComfyUI not reachable at ${fake.url} (connection refused)`,
    since: downSince,
  });
  t.is(log.at('info').filter((entry) => /not reachable/.test(entry.message)).length, 1);
  t.deepEqual(log.at('warn'), []);

  await fake.listen();
  await waitFor(() => watcher.status().reachable === true, 'ComfyUI to be seen back');
  t.is(watcher.status().error, undefined);
  t.deepEqual(
    transitions.map((status) => status.reachable),
    [true, false, true],
  );
  const infos = log.at('info').map((entry) => entry.message);
  t.is(infos.length, 3);
  t.is(infos[0], `watching the ComfyUI queue at ${fake.url}`);
  // A request in flight when the server went away is reset or closed; those after it are refused.
  t.regex(
    infos[1]!,
    /^ComfyUI not reachable at http:\/\/127\.0\.0\.1:\d+ \(connection (refused|reset|closed)\); queue watching will resume when it answers$/,
  );
  t.is(infos[2], `ComfyUI is reachable again at ${fake.url}`);
});

test('an HTTP error, an answer that is not JSON and JSON that is no queue make ComfyUI unreachable, with the reason', async (t) => {
  const fake = await FakeComfy.start(t);
  const { watcher } = startWatcher(t, fake, { intervalMs: 5, maxIntervalMs: 5 });
  const reasons = [
    ['http-500', 'HTTP 500'],
    ['not-json', 'the answer is not JSON'],
    ['not-a-queue', 'the answer is not a ComfyUI queue'],
  ] as const;
  for (const [mode, reason] of reasons) {
    fake.mode = mode;
    await waitFor(() => watcher.status().error === `ComfyUI not reachable at ${fake.url} (${reason})`, `the reason for ${mode}`);
    t.false(watcher.status().reachable);
  }
  fake.mode = 'queue';
  await waitFor(() => watcher.status().reachable === true, 'the queue back');
});

test('malformed queue items and prompts that are no workflow are skipped; the others count', async (t) => {
  const fake = await FakeComfy.start(t);
  const { watcher, sightings, log, polls } = startWatcher(t, fake);
  fake.pending = ['junk', [1], [2, '', {}], [3, 'p-bad', { '1': { inputs: {} } }], queueItem(4, 'p-good', await portraitPrompt())];
  fake.running = [[5, 'p-run-bad', 'not an object']];
  await waitFor(() => sightings.length === 1, 'the good prompt');
  await polls(3);
  t.deepEqual(
    sightings.map((sighting) => sighting.origin),
    ['prompt p-good'],
  );
  t.true(watcher.status().reachable === true);
  t.true(log.has('debug', /not a workflow/, { promptId: 'p-bad' }));
  t.is(log.at('debug').filter((entry) => entry.meta['promptId'] === 'p-bad').length, 1);
  t.true(log.has('debug', /malformed/, { item: 'queue_pending[0] is not [number, prompt_id, prompt, ...]' }));
  t.true(log.has('debug', /malformed/, { item: 'queue_running[0] is not [number, prompt_id, prompt, ...]' }));
});

test.serial('while ComfyUI is down the polls back off from the interval to the maximum, and speed up again when it answers', async (t) => {
  const clock = sinon.useFakeTimers({ now: 1_000_000, toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  t.teardown(() => clock.restore());
  const calls: number[] = [];
  let up = false;
  const fakeFetch: FetchFunction = () => {
    calls.push(Date.now());
    if (up) return Promise.resolve(new Response(JSON.stringify({ queue_running: [], queue_pending: [] }), { status: 200 }));
    return Promise.reject(
      Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) }),
    );
  };
  const watcher = new ComfyQueueWatcher({ url: 'http://127.0.0.1:8188', logger: silentLogger, fetch: fakeFetch });
  t.teardown(() => watcher.stop());
  t.deepEqual(watcher.status(), { reachable: null, url: 'http://127.0.0.1:8188' });
  watcher.start();
  await clock.tickAsync(0);
  t.like(watcher.status(), { reachable: false, error: 'ComfyUI not reachable at http://127.0.0.1:8188 (connection refused)', since: 1_000_000 });
  await clock.tickAsync(2_000 + 4_000 + 8_000 + 16_000 + 30_000 + 30_000);
  up = true;
  await clock.tickAsync(30_000 + 2_000 + 2_000);
  const gaps = calls.slice(1).map((at, index) => at - calls[index]!);
  t.deepEqual(gaps, [2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000, 2_000, 2_000]);
  t.like(watcher.status(), { reachable: true, since: calls[7] });
});

test('a request that hangs is given up after the timeout, and stop abandons one in flight', async (t) => {
  const hanging: FetchFunction = (_url, init) =>
    new Promise((_resolve, reject) => init.signal.addEventListener('abort', () => reject(init.signal.reason as Error)));
  const log = recordingLogger();
  const watcher = new ComfyQueueWatcher({ url: 'http://192.0.2.1:8188/', logger: log.logger, fetch: hanging, timeoutMs: 50 });
  watcher.start();
  await waitFor(() => watcher.status().reachable === false, 'the timeout');
  t.is(watcher.status().error, 'ComfyUI not reachable at http://192.0.2.1:8188 (no answer within 0.05 s)');

  const second = new ComfyQueueWatcher({ url: 'http://192.0.2.1:8188', logger: log.logger, fetch: hanging, timeoutMs: 60_000 });
  second.start();
  await new Promise((resolve) => setImmediate(resolve));
  await second.stop();
  await second.stop();
  await watcher.stop();
  t.is(second.status().reachable, null);
  t.is(log.at('info').length, 1);
});

test('an address that is no http(s) URL is refused at once with what to set', (t) => {
  for (const url of ['127.0.0.1:8188', 'ftp://example.com', 'not a url']) {
    const error = t.throws(() => new ComfyQueueWatcher({ url, logger: silentLogger }), { instanceOf: ComfyUrlError });
    t.is(error?.code, 'E_COMFY_URL');
    t.regex(error?.message ?? '', /comfy\.url \(ARENA_COMFY_URL\)/);
  }
});

test('a ComfyUI behind a path prefix is polled under that prefix', async (t) => {
  const requested: string[] = [];
  const recording: FetchFunction = (url) => {
    requested.push(url);
    return Promise.resolve(new Response('{"queue_running": [], "queue_pending": []}', { status: 200 }));
  };
  for (const url of ['http://host:8188', 'http://host:8188/', 'https://host/comfy', 'https://host/comfy/']) {
    const watcher = new ComfyQueueWatcher({ url, logger: silentLogger, fetch: recording });
    await watcher.pollNow();
    await watcher.stop();
  }
  t.deepEqual(requested, ['http://host:8188/queue', 'http://host:8188/queue', 'https://host/comfy/queue', 'https://host/comfy/queue']);
});
