/**
 * Downloads from a hub that drips, stalls or pauses: a connection that falls
 * below updates.minRate over updates.stallTimeout (or sends nothing for that
 * long) is broken off and resumed, and after its tries the entry fails with
 * E_DOWNLOAD_SLOW while the others of the run or window go on. A window's
 * end stops whatever still runs.
 */
import test from 'ava';
import fs from 'node:fs/promises';
import path from 'node:path';
import { sha256Hex } from '../helpers/fake-hub.js';
import { fakeUpdateClock, fileSha, newerOnHub, startUpdater, type UpdaterHarness } from '../helpers/fake-hub-harness.js';
import { eventually } from '../helpers/raw-socket.js';

const TOY = 'checkpoints/toy.safetensors';
const OTHER = 'checkpoints/other.safetensors';
const hfToy = { target: TOY, hf: { repo: 'acme/toy', file: 'toy.safetensors' } };
const hfOther = { target: OTHER, hf: { repo: 'acme/other', file: 'other.safetensors' } };
const MiB = 1024 * 1024;

/** What a user sees in the library folder: the models, and the dot-folder of the updater. */
async function visible(harness: UpdaterHarness, category: string): Promise<string[]> {
  return (await fs.readdir(path.join(harness.root, category))).sort();
}

test('a download that drips fails that entry with E_DOWNLOAD_SLOW naming the hub, the file and the rate, and the next entry of the same run updates', async (t) => {
  t.timeout(60_000, 'a dripping download must not hold the run');
  const harness = await startUpdater(t, { models: [hfToy, hfOther], stallTimeout: 1, minRate: 100_000 });
  const toy = await newerOnHub(harness, 'acme/toy', TOY);
  const other = await newerOnHub(harness, 'acme/other', OTHER);
  harness.hub.dripDownloads({ sha256: sha256Hex(toy.v2), bytes: 1, everyMs: 100, times: 10 });

  const report = await harness.service.run();
  t.like(report.entries[0], { target: TOY, status: 'error', error: { code: 'E_DOWNLOAD_SLOW' } });
  const message = report.entries[0]!.error!.message;
  t.regex(message, /Hugging Face/);
  t.regex(message, /acme\/toy/);
  t.regex(message, /toy\.safetensors/);
  t.regex(message, /\d+(\.\d+)? B\/s over the last 1 s/, 'the rate seen');
  t.regex(message, /updates\.minRate/);
  t.like(report.entries[1], { target: OTHER, status: 'updated' });

  t.is(await fileSha(harness.file(TOY)), sha256Hex(toy.v1), 'the library file is untouched');
  t.is(await fileSha(harness.file(OTHER)), sha256Hex(other.v2));
  t.deepEqual(await visible(harness, 'checkpoints'), ['other.safetensors', 'toy.safetensors'], 'no partial file among the models');
  t.true(harness.events.some((event) => event.event === 'update.failed' && event.target === TOY && event.code === 'E_DOWNLOAD_SLOW'));
  t.like((await harness.service.history()).records, [{ target: OTHER, action: 'update' }]);
});

test('a download that sends nothing at all fails after the stall timeout, and the next run resumes what came before', async (t) => {
  t.timeout(60_000, 'a stalled download must not hold the run');
  const harness = await startUpdater(t, { models: [hfToy], stallTimeout: 1, minRate: 0 });
  const { v1, v2 } = await newerOnHub(harness, 'acme/toy', TOY);
  harness.hub.stallDownloads(MiB / 4);
  harness.hub.stallDownloads(0, 3);

  const first = await harness.service.run();
  t.like(first.entries[0], { status: 'error', error: { code: 'E_DOWNLOAD_SLOW' } });
  t.regex(first.entries[0]!.error!.message, /no data for 1 s/);
  t.regex(first.entries[0]!.error!.message, /resume/);
  t.is(await fileSha(harness.file(TOY)), sha256Hex(v1));

  const second = await harness.service.run();
  t.is(second.entries[0]!.status, 'updated');
  t.is(await fileSha(harness.file(TOY)), sha256Hex(v2));
  const resumed = harness.hub.cdnRequests().at(-1)!;
  t.is(resumed.range, `bytes=${MiB / 4}-`, 'the bytes that came before the stall were kept');
});

test('a healthy download that pauses for less than the stall timeout is not aborted', async (t) => {
  const harness = await startUpdater(t, { models: [hfToy], stallTimeout: 2, minRate: 100_000 });
  const { v2 } = await newerOnHub(harness, 'acme/toy', TOY);
  harness.hub.pauseDownloads({ afterBytes: MiB / 2, pauseMs: 1200 });

  const report = await harness.service.run();
  t.is(report.entries[0]!.status, 'updated');
  t.is(await fileSha(harness.file(TOY)), sha256Hex(v2));
  t.is(harness.hub.cdnRequests().length, 1, 'one connection, never broken off');
});

/** Local time: 2025-01-04 is a Saturday. */
function at(day: number, hours: number, minutes = 0): number {
  return new Date(2025, 0, day, hours, minutes).getTime();
}

test('in an update window, a dripping download fails its entry and the next entry is installed in the same window', async (t) => {
  t.timeout(60_000);
  const { clock, updateClock } = fakeUpdateClock(at(4, 1, 59));
  const harness = await startUpdater(t, {
    models: [hfToy, hfOther],
    windows: 'Sat 02:00-05:00',
    clock: updateClock,
    stallTimeout: 1,
    minRate: 100_000,
  });
  const toy = await newerOnHub(harness, 'acme/toy', TOY);
  const other = await newerOnHub(harness, 'acme/other', OTHER);
  harness.hub.dripDownloads({ sha256: sha256Hex(toy.v2), bytes: 1, everyMs: 100, times: 10 });

  clock.tick(60_000);
  await eventually(() => harness.service.status().installed === 1, 45_000, 'the other model to be installed inside the window');
  t.true(harness.service.status().windowOpen, 'the window is still open');
  t.is(await fileSha(harness.file(OTHER)), sha256Hex(other.v2));
  t.is(await fileSha(harness.file(TOY)), sha256Hex(toy.v1));
  t.true(harness.events.some((event) => event.event === 'update.failed' && event.target === TOY && event.code === 'E_DOWNLOAD_SLOW'));
});

test('a download going at a steady pace above the floor is paused at the end of its window, the library file untouched', async (t) => {
  t.timeout(60_000);
  const { clock, updateClock } = fakeUpdateClock(at(4, 1, 59));
  const harness = await startUpdater(t, { models: [hfToy], windows: 'Sat 02:00-05:00', clock: updateClock, stallTimeout: 1, minRate: 1000 });
  const { v1, v2 } = await newerOnHub(harness, 'acme/toy', TOY);
  // 64 kB/s: far above the floor, far from done when the window closes.
  harness.hub.dripDownloads({ sha256: sha256Hex(v2), bytes: 6400, everyMs: 100 });

  clock.tick(60_000);
  await eventually(() => (harness.service.status().downloads[0]?.bytesDone ?? 0) > 64_000, 20_000, 'the download under way');
  clock.tick(at(4, 5) - at(4, 2));
  await eventually(() => harness.service.status().downloads[0]?.state === 'paused', 20_000, 'the download to pause at the window end');
  const paused = harness.service.status().downloads[0]!;
  t.true(paused.bytesDone > 0 && paused.bytesDone < v2.length);
  t.is(await fileSha(harness.file(TOY)), sha256Hex(v1));
  t.false(
    harness.events.some((event) => event.event === 'update.failed'),
    'stopped by the window, not failed',
  );
});
