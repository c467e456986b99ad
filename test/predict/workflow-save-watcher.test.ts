import test, { type ExecutionContext } from 'ava';
import { mkdir, open, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parcelSubscribe, type SubscribeFunction, type WatchCallback } from '../../src/library/watcher.js';
import type { WorkflowSighting } from '../../src/predict/sightings.js';
import { WorkflowSaveWatcher, type WorkflowSaveWatcherOptions } from '../../src/predict/workflow-save-watcher.js';
import { fakeComfyRoot, readPredictFixture, saveLikeFrontend, writeFileIn } from '../helpers/fake-comfy-files.js';
import { waitFor } from '../helpers/library-files.js';
import { refLines } from '../helpers/workflow-fixtures.js';
import { recordingLogger, type RecordingLogger } from './recording-logger.js';

const PORTRAIT_REFS = [
  '1 checkpoints sdxl/portrait_v3.safetensors',
  '2 loras styles\\soft_light.safetensors',
  '3 vae sdxl_vae.safetensors',
  '5 embeddings film_grain',
];

interface Running {
  watcher: WorkflowSaveWatcher;
  sightings: WorkflowSighting[];
  log: RecordingLogger;
  workflows: string;
  /** Saves a fresh workflow and waits for its sighting: everything caused earlier has been announced by then. */
  barrier: () => Promise<void>;
}

async function startWatcher(t: ExecutionContext, root: string, options: Partial<WorkflowSaveWatcherOptions> = {}): Promise<Running> {
  const log = recordingLogger();
  const watcher = new WorkflowSaveWatcher({ comfyRoot: root, logger: log.logger, checkIntervalMs: 50, ...options });
  const sightings: WorkflowSighting[] = [];
  watcher.on('sighting', (sighting) => sightings.push(sighting));
  t.teardown(() => watcher.stop());
  await watcher.start();
  const workflows = path.join(root, 'user', 'default', 'workflows');
  let barriers = 0;
  return {
    watcher,
    sightings,
    log,
    workflows,
    barrier: async () => {
      barriers += 1;
      const origin = `user/default/workflows/barrier-${barriers}.json`;
      await saveLikeFrontend(path.join(root, origin), await readPredictFixture('portrait-api.json'));
      await waitFor(() => sightings.some((sighting) => sighting.origin === origin), `the sighting of ${origin}`);
    },
  };
}

function origins(sightings: readonly WorkflowSighting[]): string[] {
  return sightings.map((sighting) => sighting.origin);
}

test('a workflow saved through a temp file and a rename gives one sighting with the models it needs', async (t) => {
  const root = await fakeComfyRoot(t);
  const { sightings, workflows, barrier } = await startWatcher(t, root);
  const before = Date.now();
  await saveLikeFrontend(path.join(workflows, 'portrait.json'), await readPredictFixture('portrait-ui.json'));
  await waitFor(() => sightings.length >= 1, 'the sighting');
  await barrier();

  t.deepEqual(origins(sightings), ['user/default/workflows/portrait.json', 'user/default/workflows/barrier-1.json']);
  const sighting = sightings[0]!;
  t.is(sighting.kind, 'workflow-saved');
  t.is(sighting.file, path.join(workflows, 'portrait.json'));
  t.is(sighting.workflow.format, 'ui');
  t.deepEqual(refLines(sighting.workflow.refs), PORTRAIT_REFS);
  t.deepEqual(refLines(sighting.workflow.inactive), ['4 loras bypassed.safetensors']);
  t.true(sighting.at >= before && sighting.at <= Date.now());
});

test('saving the same workflow again is a new sighting, and a workflow in a subfolder counts too', async (t) => {
  const root = await fakeComfyRoot(t);
  const { sightings, workflows } = await startWatcher(t, root);
  const file = path.join(workflows, 'people', 'portrait.json');
  await saveLikeFrontend(file, await readPredictFixture('portrait-ui.json'));
  await waitFor(() => sightings.length === 1, 'the first save');
  await saveLikeFrontend(file, await readPredictFixture('portrait-api.json'));
  await waitFor(() => sightings.length === 2, 'the second save');
  t.deepEqual(origins(sightings), ['user/default/workflows/people/portrait.json', 'user/default/workflows/people/portrait.json']);
  t.deepEqual([sightings[0]!.workflow.format, sightings[1]!.workflow.format], ['ui', 'api']);
});

test('a workflow caught half-written by an in-place save is announced once, complete, after a retry', async (t) => {
  const root = await fakeComfyRoot(t);
  const { sightings, log, workflows, barrier } = await startWatcher(t, root);
  const file = path.join(workflows, 'portrait.json');
  const json = JSON.stringify(JSON.parse(await readPredictFixture('portrait-ui.json')));
  const handle = await open(file, 'w');
  try {
    await handle.write(json.slice(0, Math.floor(json.length / 2)));
    // The watcher has read the half and decided to read again.
    await waitFor(
      () => log.has('debug', /not complete yet/, { file: 'user/default/workflows/portrait.json' }),
      'the watcher to find the file incomplete',
    );
    await handle.write(json.slice(Math.floor(json.length / 2)));
  } finally {
    await handle.close();
  }
  await waitFor(() => sightings.length >= 1, 'the sighting');
  await barrier();

  t.deepEqual(origins(sightings), ['user/default/workflows/portrait.json', 'user/default/workflows/barrier-1.json']);
  t.deepEqual(refLines(sightings[0]!.workflow.refs), PORTRAIT_REFS);
  t.deepEqual(log.at('warn'), []);
});

test('temp files, JSON outside a workflows folder and deleted workflows announce nothing', async (t) => {
  const root = await fakeComfyRoot(t);
  const { sightings, workflows, barrier } = await startWatcher(t, root);
  const workflow = await readPredictFixture('portrait-ui.json');
  await writeFileIn(path.join(workflows, 'tmpa1b2c3d4'), workflow);
  await writeFileIn(path.join(workflows, '._portrait.json'), workflow);
  await writeFileIn(path.join(root, 'user', 'comfy.settings.json'), workflow);
  await writeFileIn(path.join(root, 'user', 'default', 'comfy.settings.json'), workflow);
  await writeFileIn(path.join(root, 'user', 'default', 'templates', 'portrait.json'), workflow);
  await writeFileIn(path.join(workflows, 'notes.txt'), workflow);
  await rm(path.join(workflows, 'tmpa1b2c3d4'));
  await barrier();

  await saveLikeFrontend(path.join(workflows, 'doomed.json'), workflow);
  await waitFor(() => sightings.length === 2, 'the sighting of doomed.json');
  await rm(path.join(workflows, 'doomed.json'));
  await barrier();

  t.deepEqual(origins(sightings), [
    'user/default/workflows/barrier-1.json',
    'user/default/workflows/doomed.json',
    'user/default/workflows/barrier-2.json',
  ]);
});

test('the workflows of a user folder made after start are announced, now and on later saves', async (t) => {
  const root = await fakeComfyRoot(t);
  const { sightings } = await startWatcher(t, root);
  const workflow = await readPredictFixture('portrait-ui.json');
  // `--multi-user`: a new user's folder appears, with a save right behind it.
  await mkdir(path.join(root, 'user', 'alice_7f3a', 'workflows', 'drafts'), { recursive: true });
  await saveLikeFrontend(path.join(root, 'user', 'alice_7f3a', 'workflows', 'drafts', 'first.json'), workflow);
  await waitFor(() => origins(sightings).includes('user/alice_7f3a/workflows/drafts/first.json'), 'the first save of the new user');

  await saveLikeFrontend(path.join(root, 'user', 'alice_7f3a', 'workflows', 'drafts', 'second.json'), workflow);
  await waitFor(() => origins(sightings).includes('user/alice_7f3a/workflows/drafts/second.json'), 'a later save of the new user');
  t.deepEqual(origins(sightings), ['user/alice_7f3a/workflows/drafts/first.json', 'user/alice_7f3a/workflows/drafts/second.json']);
  t.deepEqual(refLines(sightings[1]!.workflow.refs), PORTRAIT_REFS);
});

test('a user/ folder created after start is found and watched', async (t) => {
  const root = await fakeComfyRoot(t, { user: false });
  const { watcher, sightings } = await startWatcher(t, root);
  t.like(watcher.status(), { dir: path.join(root, 'user'), state: 'missing' });

  await mkdir(path.join(root, 'user', 'default', 'workflows'), { recursive: true });
  await saveLikeFrontend(path.join(root, 'user', 'default', 'workflows', 'portrait.json'), await readPredictFixture('portrait-ui.json'));
  await waitFor(() => sightings.length === 1, 'the sighting after user/ appeared');
  t.is(watcher.status().state, 'watching');
  t.is(sightings[0]!.origin, 'user/default/workflows/portrait.json');

  await saveLikeFrontend(path.join(root, 'user', 'default', 'workflows', 'next.json'), await readPredictFixture('portrait-ui.json'));
  await waitFor(() => sightings.length === 2, 'a later save');
  t.is(sightings[1]!.origin, 'user/default/workflows/next.json');
});

test('a malformed workflow is one warning line with its reason, and the watcher carries on', async (t) => {
  const root = await fakeComfyRoot(t);
  const { sightings, log, workflows, barrier } = await startWatcher(t, root, { retryDelaysMs: [10, 20, 40] });
  // Valid JSON that is no workflow: waiting will not help.
  await writeFileIn(path.join(workflows, 'settings.json'), '{"nodes": 5}');
  // Cut off for good: read again a few times, then given up.
  await writeFileIn(path.join(workflows, 'cut.json'), '{"nodes": [{"id": 1, "type": "CheckpointLoaderSimple", "widgets_val');
  await waitFor(() => log.at('warn').length >= 2, 'both warnings');
  await barrier();

  t.deepEqual(origins(sightings), ['user/default/workflows/barrier-1.json']);
  const warnings = log
    .at('warn')
    .map((entry) => entry.message)
    .sort();
  t.is(warnings.length, 2);
  t.regex(warnings[0]!, /^saved workflow user\/default\/workflows\/cut\.json cannot be read: truncated JSON at byte \d+$/);
  t.regex(
    warnings[1]!,
    /^saved workflow user\/default\/workflows\/settings\.json cannot be read: not a workflow: "nodes" .* is a number, not an array$/,
  );
  t.true(log.at('warn').every((entry) => Object.keys(entry.meta).every((key) => key === 'module' || key === 'source')));
  t.true(log.has('debug', /not complete yet/, { file: 'user/default/workflows/cut.json' }));
  t.false(log.has('debug', /not complete yet/, { file: 'user/default/workflows/settings.json' }));
});

test('when the kernel refuses more watches, saved workflows are found by polling', async (t) => {
  const root = await fakeComfyRoot(t);
  const refuse: SubscribeFunction = () =>
    Promise.reject(Object.assign(new Error("inotify_add_watch on '/x' failed: No space left on device"), { code: 'ENOSPC' }));
  const { watcher, sightings, log, workflows } = await startWatcher(t, root, { subscribe: refuse });
  t.is(watcher.status().state, 'polling');
  t.regex(watcher.status().problem ?? '', /inotify watch limit.*polled every 0.05 s.*max_user_watches/);

  await saveLikeFrontend(path.join(workflows, 'portrait.json'), await readPredictFixture('portrait-ui.json'));
  await waitFor(() => sightings.length === 1, 'the sighting found by polling');
  t.deepEqual(refLines(sightings[0]!.workflow.refs), PORTRAIT_REFS);
  t.is(log.at('warn').length, 1);
});

test('stop unsubscribes once, and announces nothing afterwards', async (t) => {
  const root = await fakeComfyRoot(t);
  let deliver: WatchCallback | undefined;
  let unsubscribed = 0;
  const subscribe: SubscribeFunction = (_dir, callback) => {
    deliver = callback;
    return Promise.resolve({ unsubscribe: () => Promise.resolve(void (unsubscribed += 1)) });
  };
  const { watcher, sightings, workflows } = await startWatcher(t, root, { subscribe });
  const file = path.join(workflows, 'portrait.json');
  await writeFile(file, await readPredictFixture('portrait-ui.json'));
  deliver?.(null, [{ path: file, type: 'create' }]);
  await waitFor(() => sightings.length === 1, 'the sighting of a delivered event');

  await watcher.stop();
  await watcher.stop();
  t.is(unsubscribed, 1);
  t.is(watcher.status().state, 'stopped');
  deliver?.(null, [{ path: file, type: 'update' }]);
  await writeFile(file, await readPredictFixture('portrait-api.json'));
  deliver?.(null, [{ path: file, type: 'update' }]);
  // Nothing is pending that could still announce it.
  t.is(sightings.length, 1);
});

test('a watch that cannot be set up is one warning, retried quietly until it works', async (t) => {
  const root = await fakeComfyRoot(t);
  let refusals = 3;
  const flaky: SubscribeFunction = (dir, callback) => {
    if (refusals > 0) {
      refusals -= 1;
      return Promise.reject(new Error('Permission denied'));
    }
    return parcelSubscribe(dir, callback);
  };
  const { watcher, sightings, log, workflows } = await startWatcher(t, root, { subscribe: flaky });
  t.like(watcher.status(), { state: 'failing', problem: `cannot watch ${path.join(root, 'user')}: Permission denied` });
  await waitFor(() => watcher.status().state === 'watching', 'the watch to be set up');
  t.is(log.at('warn').length, 1);
  t.true(log.has('info', /watching folder again/));
  t.is(watcher.status().problem, undefined);

  await saveLikeFrontend(path.join(workflows, 'portrait.json'), await readPredictFixture('portrait-ui.json'));
  await waitFor(() => sightings.length === 1, 'the sighting once watched');
});
