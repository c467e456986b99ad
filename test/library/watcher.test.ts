import test from 'ava';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { isWatchLimitError, librarySubscribe, parcelSubscribe, topDirectories, topDirectoryOf, type WatchEvent } from '../../src/library/watcher.js';
import { tempDir, waitFor, writeModel } from '../helpers/library-files.js';

test('the library watcher passes over preview and metadata files, but not folders with a dot in their name', async (t) => {
  const root = await tempDir(t, 'watch');
  // Made before subscribing: files in a folder that appears later may come before its watch does.
  const folder = path.join(root, 'SD1.5', 'style-0');
  await mkdir(folder, { recursive: true });
  const seen: WatchEvent[] = [];
  const subscription = await librarySubscribe(root, (error, events) => {
    if (error === null) seen.push(...events);
  });
  t.teardown(() => subscription.unsubscribe());
  await writeFile(path.join(folder, 'a.preview.png'), 'png');
  await writeFile(path.join(folder, 'a.civitai.info'), '{}');
  await writeFile(path.join(folder, 'a.metadata.json'), '{}');
  await writeModel(path.join(folder, 'a.safetensors'), 1024, 0);
  const model = path.join(folder, 'a.safetensors');
  await waitFor(() => seen.some((event) => event.path === model), 'the model file to be reported');
  const paths = seen.map((event) => path.relative(root, event.path));
  t.deepEqual(
    paths.filter((file) => /\.(png|info|json)$/.test(file)),
    [],
    'sidecar files written before the model are not reported',
  );
});

test('the plain watcher, which follows workflows and output images, reports JSON and PNG files', async (t) => {
  const root = await tempDir(t, 'watch');
  const seen: string[] = [];
  const subscription = await parcelSubscribe(root, (error, events) => {
    if (error === null) seen.push(...events.map((event) => path.basename(event.path)));
  });
  t.teardown(() => subscription.unsubscribe());
  await writeFile(path.join(root, 'workflow.json'), '{}');
  await writeFile(path.join(root, 'ComfyUI_00001_.png'), 'png');
  await waitFor(() => seen.includes('workflow.json') && seen.includes('ComfyUI_00001_.png'), 'both files to be reported');
  t.pass();
});

test('each directory is subscribed once, and none inside another', (t) => {
  const tops = topDirectories([
    '/c/models/loras',
    '/c/models/checkpoints',
    '/nas/models',
    '/nas/models/loras',
    '/nas/models-old/loras',
    '/c/models/loras',
  ]);
  t.deepEqual(tops, ['/c/models/checkpoints', '/c/models/loras', '/nas/models', '/nas/models-old/loras']);
  t.is(topDirectoryOf('/nas/models/loras', tops), '/nas/models');
  t.is(topDirectoryOf('/nas/models-old/loras', tops), '/nas/models-old/loras');
  t.is(topDirectoryOf('/elsewhere', tops), undefined);
});

test('watch-limit errors are told apart from other watch failures', (t) => {
  t.true(isWatchLimitError(new Error("inotify_add_watch on '/lib/x' failed: No space left on device")));
  t.true(isWatchLimitError(Object.assign(new Error('watch failed'), { code: 'ENOSPC' })));
  t.true(isWatchLimitError(new Error('Unable to initialize inotify: Too many open files')));
  t.false(isWatchLimitError(new Error('Permission denied')));
  t.false(isWatchLimitError(Object.assign(new Error('gone'), { code: 'ENOENT' })));
});
