import test from 'ava';
import { isWatchLimitError, topDirectories, topDirectoryOf } from '../../src/library/watcher.js';

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
