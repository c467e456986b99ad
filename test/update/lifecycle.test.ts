import test from 'ava';
import fs from 'node:fs/promises';
import path from 'node:path';
import { silentLogger } from '../../src/log/logger.js';
import { UpdateService } from '../../src/update/index.js';
import { sha256Hex } from '../helpers/fake-hub.js';
import { DEFAULT_PACE, fakeUpdateClock, fileSha, randomModel, startUpdater, type UpdaterHarness } from '../helpers/fake-hub-harness.js';
import { eventually } from '../helpers/raw-socket.js';

const TOY = 'checkpoints/toy.safetensors';
const MiB = 1024 * 1024;

/** A second updater on the harness's state folder and manifest, as another process would start one. */
function anotherUpdater(harness: UpdaterHarness, holder: string): UpdateService {
  return new UpdateService({
    settings: {
      manifest: harness.manifestFile,
      windows: '',
      hfEndpoint: harness.hub.endpoint,
      civitaiEndpoint: harness.hub.endpoint,
      ...DEFAULT_PACE,
    },
    credentials: {},
    stateDir: harness.stateDir,
    library: () => ({ folders: () => [], entries: () => [] }),
    invalidate: () => Promise.resolve(),
    logger: silentLogger,
    holder,
  });
}

test('stopping during a download pauses it: the library is untouched and the partial file resumes next time', async (t) => {
  const harness = await startUpdater(t, { models: [{ target: TOY, hf: { repo: 'acme/toy', file: 'toy.safetensors' } }] });
  const v1 = randomModel(MiB / 4);
  const v2 = randomModel(2 * MiB);
  harness.hub.publishHf('acme/toy', 'toy.safetensors', v1);
  await fs.writeFile(harness.file(TOY), v1);
  harness.hub.publishHf('acme/toy', 'toy.safetensors', v2);
  harness.hub.stallDownloads(MiB / 2);

  const running = harness.service.run();
  await eventually(() => harness.service.status().downloads[0]?.bytesDone === MiB / 2, 20_000, 'half the download');
  await harness.service.stop();
  const report = await running;
  t.like(report.entries[0], { target: TOY, status: 'available', paused: { bytesDone: MiB / 2, bytes: v2.length } });
  t.is(await fileSha(harness.file(TOY)), sha256Hex(v1));
  t.false(
    await fs.stat(path.join(harness.stateDir, 'updater.lock')).then(
      () => true,
      () => false,
    ),
    'the lock is released',
  );

  const again = await startUpdater(t, {
    hub: harness.hub,
    root: harness.root,
    models: [{ target: TOY, hf: { repo: 'acme/toy', file: 'toy.safetensors' } }],
  });
  const before = harness.hub.cdnRequests().length;
  const resumed = await again.service.run();
  t.is(resumed.entries[0]!.status, 'updated');
  t.is(await fileSha(harness.file(TOY)), sha256Hex(v2));
  t.is(harness.hub.cdnRequests()[before]!.range, `bytes=${MiB / 2}-`);
});

test('a reload takes a new manifest and new windows at once', async (t) => {
  const { updateClock } = fakeUpdateClock(new Date(2025, 0, 3, 12, 0).getTime());
  const harness = await startUpdater(t, { models: [], windows: 'Sat 02:00-05:00', clock: updateClock });
  t.like(harness.service.status(), { tracked: 0, windows: 'Sat 02:00-05:00', nextWindow: { opensAt: new Date(2025, 0, 4, 2).toISOString() } });

  const other = path.join(path.dirname(harness.manifestFile), 'other.yaml');
  await fs.writeFile(other, 'models:\n  - target: loras/a.safetensors\n    civitai: {modelId: 1}\n  - target: loras/b.safetensors\n');
  await harness.service.reconfigure({
    manifest: other,
    windows: 'Sun 01:00-02:00',
    hfEndpoint: harness.hub.endpoint,
    civitaiEndpoint: harness.hub.endpoint,
    ...DEFAULT_PACE,
  });
  t.like(harness.service.status(), {
    manifest: other,
    tracked: 1,
    windows: 'Sun 01:00-02:00',
    nextWindow: { opensAt: new Date(2025, 0, 5, 1).toISOString() },
  });
  t.is(harness.service.problems().length, 1);
  t.true(
    harness.logs.some((line) => line.level === 'warn' && /entry 2/.test(line.message)),
    'a new manifest problem is logged once',
  );
});

test('windows added by a reload to a daemon that had none open on time', async (t) => {
  const { clock, updateClock } = fakeUpdateClock(new Date(2025, 0, 3, 12, 0).getTime());
  const harness = await startUpdater(t, { models: [], schedule: true, clock: updateClock });
  t.like(harness.service.status(), { windows: null, nextWindow: null });
  await harness.service.reconfigure({
    manifest: harness.manifestFile,
    windows: 'Sat 02:00-05:00',
    hfEndpoint: harness.hub.endpoint,
    civitaiEndpoint: harness.hub.endpoint,
    ...DEFAULT_PACE,
  });
  clock.tick(new Date(2025, 0, 4, 2, 0).getTime() - clock.now);
  t.true(harness.events.some((event) => event.event === 'update.window' && event.state === 'open'));
});

test('a second updater on the same state folder is refused while the first runs', async (t) => {
  const harness = await startUpdater(t, { models: [] });
  const second = anotherUpdater(harness, 'arenactl');
  // The first holds the lock with this process's pid, which a second in the same process would take over: name another.
  await fs.writeFile(path.join(harness.stateDir, 'updater.lock'), `${JSON.stringify({ pid: process.ppid, holder: 'arenad' })}\n`);
  await t.throwsAsync(second.start({ schedule: false, lock: 'require' }), { code: 'E_LOCKED', message: /arenad \(pid \d+\) is updating models/ });
  await fs.writeFile(path.join(harness.stateDir, 'updater.lock'), `${JSON.stringify({ pid: 2 ** 22 + 12345, holder: 'arenad' })}\n`);
  await second.start({ schedule: false, lock: 'require' });
  t.teardown(() => second.stop());
  t.pass('a lock whose holder is gone is taken over');
});

test('a daemon that finds the lock taken starts anyway, refuses runs and rollbacks with E_LOCKED, and says why in its problems', async (t) => {
  const harness = await startUpdater(t, { models: [] });
  await harness.service.stop();
  await fs.writeFile(path.join(harness.stateDir, 'updater.lock'), `${JSON.stringify({ pid: process.ppid, holder: 'arenactl' })}\n`);
  const daemonSide = anotherUpdater(harness, 'arenad');
  await daemonSide.start({ schedule: true, lock: 'wait' });
  t.teardown(() => daemonSide.stop());
  t.regex(daemonSide.problems().join('\n'), /updates wait: arenactl \(pid \d+\) is updating models/);
  await t.throwsAsync(daemonSide.run(), { code: 'E_LOCKED' });
  await t.throwsAsync(daemonSide.rollback('checkpoints/x.safetensors'), { code: 'E_LOCKED' });
  t.deepEqual((await daemonSide.check()).entries, [], 'checks need no lock');
});
