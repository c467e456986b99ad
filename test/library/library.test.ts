import test from 'ava';
import { appendFile, mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import sinon from 'sinon';
import type { Logger } from '../../src/log/logger.js';
import { collectModelFolders } from '../../src/library/model-folders.js';
import type { SubscribeFunction } from '../../src/library/watcher.js';
import { startLibrary } from '../helpers/library-harness.js';
import { folder, tempDir, waitFor, writeModel } from '../helpers/library-files.js';

test('start resolves with every folder scanned, and status counts folders and models', async (t) => {
  const base = await tempDir(t);
  await writeModel(path.join(base, 'loras', 'a.safetensors'), 100);
  await writeModel(path.join(base, 'loras', 'sub', 'b.safetensors'), 50);
  await writeModel(path.join(base, 'checkpoints', 'c.safetensors'), 1000);
  const folders = [folder('loras', path.join(base, 'loras')), folder('checkpoints', path.join(base, 'checkpoints'))];
  const { library, has } = await startLibrary(t, folders);
  t.true(has('loras', 'sub\\b.safetensors', 50));
  const status = library.status();
  t.like(status, { models: 3, bytes: 1150, unavailableModels: 0 });
  t.like(status.folders[0], { category: 'loras', state: 'ok', mode: 'watch', models: 2, bytes: 150 });
  t.not(status.folders[0]?.fsType, 'unknown');
  t.deepEqual(library.problems(), []);
});

test('the catalog follows files created, changed, renamed and deleted', async (t) => {
  const base = await tempDir(t);
  const loras = path.join(base, 'loras');
  await mkdir(loras);
  const { events, has } = await startLibrary(t, [folder('loras', loras)]);

  await writeModel(path.join(loras, 'new.safetensors'), 10, 0);
  await waitFor(() => has('loras', 'new.safetensors', 10), 'the created file');

  await appendFile(path.join(loras, 'new.safetensors'), 'more');
  await waitFor(() => has('loras', 'new.safetensors', 14), 'the changed size');

  await rename(path.join(loras, 'new.safetensors'), path.join(loras, 'renamed.safetensors'));
  await waitFor(() => has('loras', 'renamed.safetensors') && !has('loras', 'new.safetensors'), 'the rename');

  await rm(path.join(loras, 'renamed.safetensors'));
  await waitFor(() => !has('loras', 'renamed.safetensors'), 'the deletion');
  t.deepEqual(events, [
    'added loras/new.safetensors@10',
    'changed loras/new.safetensors@14',
    'removed loras/new.safetensors',
    'added loras/renamed.safetensors@14',
    'removed loras/renamed.safetensors',
  ]);
});

test('a directory tree moved in is scanned, and watched inside afterwards', async (t) => {
  const base = await tempDir(t);
  const loras = path.join(base, 'loras');
  await mkdir(loras);
  await writeModel(path.join(base, 'outside', 'pack', 'style', 'a.safetensors'), 11);
  await writeModel(path.join(base, 'outside', 'pack', 'b.safetensors'), 12);
  const { library, has } = await startLibrary(t, [folder('loras', loras)]);

  await rename(path.join(base, 'outside', 'pack'), path.join(loras, 'pack'));
  await waitFor(() => has('loras', 'pack/style/a.safetensors', 11) && has('loras', 'pack/b.safetensors', 12), 'the moved tree');

  // The kernel does not watch inside a moved-in tree until the library subscribes again.
  await writeModel(path.join(loras, 'pack', 'style', 'later.safetensors'), 13, 0);
  await waitFor(() => has('loras', 'pack/style/later.safetensors', 13), 'a file written inside the moved tree');

  await rm(path.join(loras, 'pack'), { recursive: true });
  // Each file's removal may come in its own batch of events: wait for all three, then check nothing else is left.
  await waitFor(
    () => !has('loras', 'pack/b.safetensors') && !has('loras', 'pack/style/a.safetensors') && !has('loras', 'pack/style/later.safetensors'),
    'the tree removed',
  );
  t.is([...library.catalog.entries('loras')].length, 0);
});

test('files written at once into a new mkdir -p tree are found', async (t) => {
  const base = await tempDir(t);
  const checkpoints = path.join(base, 'checkpoints');
  await mkdir(checkpoints);
  const { library, has } = await startLibrary(t, [folder('checkpoints', checkpoints)]);
  await mkdir(path.join(checkpoints, 'sdxl', 'merges', 'v2'), { recursive: true });
  await writeModel(path.join(checkpoints, 'sdxl', 'merges', 'v2', 'x.safetensors'), 5, 0);
  await writeModel(path.join(checkpoints, 'sdxl', 'y.safetensors'), 6, 0);
  await waitFor(
    () => has('checkpoints', 'sdxl/merges/v2/x.safetensors', 5) && has('checkpoints', 'sdxl/y.safetensors', 6),
    'the files of the new tree',
  );
  t.is(library.status().models, 2);
});

test('a file still being written counts only once it settles, with its final size', async (t) => {
  const base = await tempDir(t);
  const checkpoints = path.join(base, 'checkpoints');
  await mkdir(checkpoints);
  // The settle window is far longer than the gaps between writes, even on a busy machine.
  const { events, has } = await startLibrary(t, [folder('checkpoints', checkpoints)], { settleMs: 1500 });
  const file = path.join(checkpoints, 'big.safetensors');
  await writeModel(file, 0, 0);
  for (let chunk = 0; chunk < 10; chunk += 1) {
    await appendFile(file, Buffer.alloc(1024, 1));
    t.false(has('checkpoints', 'big.safetensors'), `counted while being written (chunk ${chunk})`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await waitFor(() => has('checkpoints', 'big.safetensors'), 'the settled file');
  t.deepEqual(events, ['added checkpoints/big.safetensors@10240']);
});

test('a root renamed away keeps its models as unavailable, with a problem, and comes back by itself', async (t) => {
  const base = await tempDir(t);
  const root = path.join(base, 'nas');
  await writeModel(path.join(root, 'loras', 'a.safetensors'), 1);
  await writeModel(path.join(root, 'checkpoints', 'c.safetensors'), 2);
  const { folders } = await collectModelFolders({ libraryRoots: [root], exclude: [] });
  const { library, events, has } = await startLibrary(t, folders);
  t.true(has('loras', 'a.safetensors'));

  await rename(root, path.join(base, 'nas-away'));
  await waitFor(() => library.catalog.lookup('loras', 'a.safetensors')?.available === false, 'the models marked unavailable');
  await waitFor(() => library.catalog.lookup('checkpoints', 'c.safetensors')?.available === false, 'every folder unavailable');
  await waitFor(() => library.problems().some((problem) => problem.includes(root)), 'a problem naming the root');
  t.like(library.status(), { unavailableModels: 2 });
  t.is(library.status().folders.find((status) => status.dir === path.join(root, 'loras'))?.state, 'missing');

  await rename(path.join(base, 'nas-away'), root);
  await waitFor(() => has('loras', 'a.safetensors') && has('checkpoints', 'c.safetensors'), 'the models available again');
  await waitFor(() => library.problems().length === 0, 'the problem gone');
  t.false(
    events.some((event) => event.startsWith('removed')),
    `no removal announced: ${events.join(', ')}`,
  );
  t.true(events.includes(`unavailable ${path.join(root, 'loras')}`));
  t.true(events.includes(`available ${path.join(root, 'loras')}`));

  // Watched again after coming back.
  await writeModel(path.join(root, 'loras', 'after.safetensors'), 3, 0);
  await waitFor(() => has('loras', 'after.safetensors'), 'a file added after the return');
});

test('a missing root that extra_model_paths.yaml also names is one problem, not one per folder', async (t) => {
  const base = await tempDir(t);
  const gone = path.join(base, 'unmounted');
  const { folders } = await collectModelFolders({ libraryRoots: [gone], exclude: [] });
  const named = [
    folder('checkpoints', path.join(gone, 'sd', 'checkpoints'), 'extra_model_paths.yaml#nas'),
    folder('loras', path.join(gone, 'sd', 'loras'), 'extra_model_paths.yaml#nas'),
  ];
  const { library } = await startLibrary(t, [...folders, ...named]);
  t.deepEqual(library.problems(), [`model root ${gone} (library.roots) is missing; its models are kept as unavailable until it returns`]);
});

test('a folder deleted for good stays unavailable, and one created later is picked up', async (t) => {
  const base = await tempDir(t);
  const vae = path.join(base, 'vae');
  const later = path.join(base, 'later');
  await writeModel(path.join(vae, 'v.safetensors'), 1);
  const folders = [folder('vae', vae, 'extra_model_paths.yaml#nas'), folder('loras', later, 'extra_model_paths.yaml#nas')];
  const { library, has } = await startLibrary(t, folders);
  t.deepEqual(library.problems(), [`model folder ${later} (loras, from extra_model_paths.yaml#nas) is missing`]);

  await rm(vae, { recursive: true });
  await waitFor(() => library.catalog.lookup('vae', 'v.safetensors')?.available === false, 'the deleted folder unavailable');
  t.true(
    library
      .problems()
      .some((problem) => problem.startsWith(`model folder ${vae} (vae, from extra_model_paths.yaml#nas) is missing; its 1 model is kept`)),
  );

  await writeModel(path.join(later, 'l.safetensors'), 2);
  await waitFor(() => has('loras', 'l.safetensors', 2), 'the model of the folder that appeared');
  t.false(library.problems().some((problem) => problem.includes(later)));
});

test('an exhausted watch limit falls back to polling, logged once, and files are still found', async (t) => {
  const base = await tempDir(t);
  const dirs = ['loras', 'vae', 'checkpoints'].map((name) => path.join(base, name));
  for (const dir of dirs) await mkdir(dir);
  const subscribe = sinon.fake.rejects(
    Object.assign(new Error(`inotify_add_watch on '${base}' failed: No space left on device`), { code: 'ENOSPC' }),
  ) as unknown as SubscribeFunction;
  const warn = sinon.fake();
  const logger: Logger = { error() {}, warn, info() {}, debug() {}, child: () => logger };
  const folders = dirs.map((dir) => folder(path.basename(dir), dir));
  const { library, has } = await startLibrary(t, folders, { subscribe, logger, pollIntervalMs: 200 });

  t.is((subscribe as unknown as sinon.SinonSpy).callCount, 3);
  t.true(library.status().folders.every((status) => status.mode === 'poll'));
  t.is(warn.getCalls().filter((call) => String(call.args[0]).includes('inotify watch limit')).length, 1);
  t.true(library.problems().some((problem) => problem.includes('max_user_watches')));
  await writeModel(path.join(base, 'vae', 'polled.safetensors'), 7, 0);
  await waitFor(() => has('vae', 'polled.safetensors', 7), 'the polled file');
});

test('a watch-limit error after subscribing also moves the folder to polling', async (t) => {
  const base = await tempDir(t);
  const loras = path.join(base, 'loras');
  await mkdir(loras);
  let fail: ((error: Error) => void) | undefined;
  const unsubscribe = sinon.fake.resolves(undefined);
  const subscribe: SubscribeFunction = (_dir, callback) => {
    fail = (error) => callback(error, []);
    return Promise.resolve({ unsubscribe });
  };
  const { library, has } = await startLibrary(t, [folder('loras', loras)], { subscribe, pollIntervalMs: 200 });
  t.is(library.status().folders[0]?.mode, 'watch');
  fail?.(new Error("inotify_add_watch on '/x' failed: No space left on device"));
  await waitFor(() => library.status().folders[0]?.mode === 'poll', 'the switch to polling');
  t.true(unsubscribe.called);
  await writeModel(path.join(loras, 'x.safetensors'), 1, 0);
  await waitFor(() => has('loras', 'x.safetensors'), 'the polled file');
});

test("poll 'always' polls local folders, and 'auto' polls what the mount table calls remote", async (t) => {
  const base = await tempDir(t);
  const local = path.join(base, 'local');
  const nas = path.join(base, 'nas');
  await mkdir(local);
  await mkdir(nas);
  const subscribe = sinon.spy<SubscribeFunction>(() => Promise.resolve({ unsubscribe: () => Promise.resolve() }));
  const fileSystemType = (dir: string) => Promise.resolve(dir === nas ? 'nfs4' : 'ext4');
  const auto = await startLibrary(t, [folder('loras', local), folder('vae', nas)], {
    poll: 'auto',
    subscribe,
    fileSystemType,
    pollIntervalMs: 200,
  });
  t.deepEqual(
    auto.library.status().folders.map((status) => `${status.category}:${status.mode}:${status.fsType}`),
    ['loras:watch:ext4', 'vae:poll:nfs4'],
  );
  t.deepEqual(
    subscribe.args.map((args) => args[0]),
    [local],
  );
  // The fake watcher never reports anything: only the poll can find this file.
  await writeModel(path.join(nas, 'v.safetensors'), 3, 0);
  await waitFor(() => auto.has('vae', 'v.safetensors'), 'the file on the "NAS"');

  const always = await startLibrary(t, [folder('loras', local)], { poll: 'always', pollIntervalMs: 200 });
  t.is(always.library.status().folders[0]?.mode, 'poll');
  await writeModel(path.join(local, 'l.safetensors'), 3, 0);
  await waitFor(() => always.has('loras', 'l.safetensors'), 'the polled local file');
});

test('nested folders share one subscription and both see a file inside the inner one', async (t) => {
  const base = await tempDir(t);
  const outer = path.join(base, 'models');
  const inner = path.join(outer, 'loras');
  await mkdir(inner, { recursive: true });
  const subscribe = sinon.spy((await import('../../src/library/watcher.js')).parcelSubscribe);
  const { library } = await startLibrary(t, [folder('loras', inner), folder('misc', outer)], {
    subscribe: subscribe as unknown as SubscribeFunction,
  });
  t.deepEqual(
    subscribe.args.map((args) => args[0]),
    [outer],
  );
  await writeModel(path.join(inner, 'x.safetensors'), 1, 0);
  await waitFor(
    () => library.catalog.lookup('loras', 'x.safetensors') !== undefined && library.catalog.lookup('misc', 'loras/x.safetensors') !== undefined,
    'the file in both folders',
  );
});

test('reconfigure drops folders that left (announcing their models), scans new ones and keeps the rest', async (t) => {
  const base = await tempDir(t);
  const loras = folder('loras', path.join(base, 'loras'));
  const vae = folder('vae', path.join(base, 'vae'));
  const checkpoints = folder('checkpoints', path.join(base, 'checkpoints'));
  await writeModel(path.join(loras.dir, 'l.safetensors'), 1);
  await writeModel(path.join(vae.dir, 'v.safetensors'), 2);
  await writeModel(path.join(checkpoints.dir, 'c.safetensors'), 3);
  const { library, events, has } = await startLibrary(t, [loras, vae]);
  events.length = 0;
  await library.reconfigure({ folders: [loras, checkpoints] });
  t.true(has('checkpoints', 'c.safetensors'));
  t.false(has('vae', 'v.safetensors'));
  t.deepEqual(events, ['removed vae/v.safetensors', 'added checkpoints/c.safetensors@3']);
  t.deepEqual(
    library.status().folders.map((status) => status.category),
    ['loras', 'checkpoints'],
  );
  await writeModel(path.join(loras.dir, 'after.safetensors'), 4, 0);
  await waitFor(() => has('loras', 'after.safetensors'), 'a kept folder still watched');
  await library.reconfigure({ folders: [loras], poll: 'always' });
  t.is(library.status().folders[0]?.mode, 'poll');
});

test('rescanNow finds what the events missed, and stop is idempotent and silences the library', async (t) => {
  const base = await tempDir(t);
  const loras = path.join(base, 'loras');
  await mkdir(loras);
  const subscribe = sinon.fake.resolves({ unsubscribe: async () => {} }) as unknown as SubscribeFunction;
  const { library, events, has } = await startLibrary(t, [folder('loras', loras)], { subscribe });
  await writeModel(path.join(loras, 'quiet.safetensors'), 9, 0);
  await library.rescanNow();
  await waitFor(() => has('loras', 'quiet.safetensors', 9), 'the rescanned file');
  await library.stop();
  await library.stop();
  await writeModel(path.join(loras, 'after-stop.safetensors'), 1, 0);
  await library.rescanNow();
  t.deepEqual(events, ['added loras/quiet.safetensors@9']);
});
