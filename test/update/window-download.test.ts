import test from 'ava';
import fs from 'node:fs/promises';
import path from 'node:path';
import { sha256Hex } from '../helpers/fake-hub.js';
import { fakeUpdateClock, fileSha, randomModel, startUpdater } from '../helpers/fake-hub-harness.js';
import { eventually } from '../helpers/raw-socket.js';

const TOY = 'checkpoints/toy.safetensors';
const MiB = 1024 * 1024;

/** Local time: 2025-01-03 is a Friday, 2025-01-04 a Saturday. */
function at(day: number, hours: number, minutes = 0): number {
  return new Date(2025, 0, day, hours, minutes).getTime();
}

test('a download still running when its window closes is paused, and resumes with a Range request in the next window', async (t) => {
  const { clock, updateClock } = fakeUpdateClock(at(3, 12));
  const harness = await startUpdater(t, {
    models: [{ target: TOY, hf: { repo: 'acme/toy', file: 'toy.safetensors' } }],
    windows: 'Sat 02:00-05:00',
    clock: updateClock,
  });
  const v1 = randomModel(MiB / 4);
  const v2 = randomModel(2 * MiB);
  harness.hub.publishHf('acme/toy', 'toy.safetensors', v1);
  await fs.writeFile(harness.file(TOY), v1);
  harness.hub.publishHf('acme/toy', 'toy.safetensors', v2);
  harness.hub.stallDownloads(MiB);

  t.like(harness.service.status(), {
    windowOpen: false,
    currentWindow: null,
    nextWindow: { opensAt: new Date(at(4, 2)).toISOString(), closesAt: new Date(at(4, 5)).toISOString() },
  });
  t.deepEqual(harness.hub.requests, [], 'nothing happens outside a window');

  clock.tick(at(4, 2) - at(3, 12));
  t.true(harness.service.status().windowOpen);
  await eventually(() => harness.service.status().downloads[0]?.bytesDone === MiB, 20_000, 'the first half of the download');
  t.like(harness.service.status().downloads[0], { target: TOY, state: 'downloading', bytes: v2.length, percent: 50 });

  clock.tick(at(4, 5) - at(4, 2));
  await eventually(() => harness.service.status().downloads[0]?.state === 'paused', 20_000, 'the download to pause');
  await eventually(() => harness.logs.some((line) => line.message === 'update window run done'), 20_000, 'the window run to end');
  t.like(harness.service.status(), {
    windowOpen: false,
    downloads: [{ target: TOY, state: 'paused', bytesDone: MiB }],
    nextWindow: { opensAt: new Date(at(11, 2)).toISOString() },
  });
  t.is(await fileSha(harness.file(TOY)), sha256Hex(v1), 'the library file is untouched');
  const staging = path.join(harness.root, '.arena', 'staging');
  const part = (await fs.readdir(staging)).find((name) => name.endsWith('.part'))!;
  t.is((await fs.stat(path.join(staging, part))).size, MiB, 'the partial download is kept');
  t.true(harness.events.some((event) => event.event === 'update.paused' && event.bytesDone === MiB));
  t.true(harness.events.some((event) => event.event === 'update.window' && event.state === 'closed'));

  const before = harness.hub.cdnRequests().length;
  clock.tick(at(11, 2) - at(4, 5));
  await eventually(() => harness.service.status().installed === 1, 20_000, 'the update to be installed in the next window');
  t.is(await fileSha(harness.file(TOY)), sha256Hex(v2), 'the resumed file is byte-identical');
  const resumed = harness.hub.cdnRequests().slice(before);
  t.is(resumed.length, 1);
  t.is(resumed[0]!.range, `bytes=${MiB}-`);
  t.like((await harness.service.history(TOY)).records[0], { action: 'update', trigger: 'window' });
  t.deepEqual(harness.service.status().downloads, []);
  t.deepEqual(await fs.readdir(staging), []);
});

test('a paused download left by an earlier daemon shows in status at start, before the next window', async (t) => {
  const first = await startUpdater(t, { models: [{ target: TOY, hf: { repo: 'acme/toy', file: 'toy.safetensors' } }] });
  const v2 = randomModel(MiB);
  first.hub.publishHf('acme/toy', 'toy.safetensors', v2);
  first.hub.cutDownloads(MiB / 8, 4);
  await first.service.run();
  await first.service.stop();

  const { updateClock } = fakeUpdateClock(at(3, 12));
  const second = await startUpdater(t, {
    hub: first.hub,
    root: first.root,
    models: [{ target: TOY, hf: { repo: 'acme/toy', file: 'toy.safetensors' } }],
    windows: 'Sat 02:00-05:00',
    clock: updateClock,
  });
  const staging = path.join(first.root, '.arena', 'staging');
  const part = (await fs.readdir(staging)).find((name) => name.endsWith('.part'))!;
  const partSize = (await fs.stat(path.join(staging, part))).size;
  t.true(partSize > 0 && partSize < MiB);
  t.like(second.service.status().downloads, [{ target: TOY, state: 'paused', bytesDone: partSize, bytes: MiB }]);
});
