import test from 'ava';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sha256Hex } from '../../helpers/fake-hub.js';
import { fileSha, randomModel, startUpdater } from '../../helpers/fake-hub-harness.js';

// A real full disk: a small tmpfs as the library root (needs root, as the test machines run).
// The folders are removed here rather than by a teardown, which would run before the unmount.
const mounts: Array<{ dir: string; mountPoint: string }> = [];

test.after.always(async () => {
  for (const { dir, mountPoint } of mounts) {
    execFileSync('umount', [mountPoint]);
    await fs.rm(dir, { recursive: true, force: true });
  }
});

const KiB = 1024;
const MiB = 1024 * KiB;

async function smallDisk(size: string): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'arena-update-tmpfs-'));
  const mountPoint = path.join(dir, 'library');
  await fs.mkdir(mountPoint);
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', mountPoint]);
  mounts.push({ dir, mountPoint });
  return mountPoint;
}

async function stagingOf(root: string): Promise<string[]> {
  return fs.readdir(path.join(root, '.arena', 'staging')).catch(() => []);
}

test('an update with no room on the library disk is refused before downloading, and the others go ahead', async (t) => {
  const root = await smallDisk('1m');
  const BIG = 'checkpoints/big.safetensors';
  const SMALL = 'loras/small.safetensors';
  const harness = await startUpdater(t, {
    root,
    models: [
      { target: BIG, hf: { repo: 'acme/big', file: 'big.safetensors' } },
      { target: SMALL, hf: { repo: 'acme/small', file: 'small.safetensors' } },
    ],
  });
  const bigOld = randomModel(100 * KiB);
  await fs.writeFile(harness.file(BIG), bigOld);
  harness.hub.publishHf('acme/big', 'big.safetensors', randomModel(2 * MiB));
  const small = randomModel(64 * KiB);
  harness.hub.publishHf('acme/small', 'small.safetensors', small);

  const report = await harness.service.run();
  t.like(report.entries[0], { target: BIG, status: 'error', error: { code: 'E_NO_SPACE' } });
  t.regex(report.entries[0]!.error!.message, /needs 2\.1 MB more/);
  t.regex(report.entries[0]!.error!.message, new RegExp(path.join(root, '.arena', 'staging').replace(/[/.]/g, '\\$&')));
  t.is(await fileSha(harness.file(BIG)), sha256Hex(bigOld));
  t.like(report.entries[1], { target: SMALL, status: 'updated' });
  t.is(await fileSha(harness.file(SMALL)), sha256Hex(small));
  t.is(harness.hub.cdnRequests().length, 1, 'the big file was never requested');
  t.deepEqual(await stagingOf(root), []);
});

test('a disk that fills up during a download gives E_NO_SPACE and gets its space back', async (t) => {
  const root = await smallDisk('2m');
  const A = 'checkpoints/a.safetensors';
  const B = 'checkpoints/b.safetensors';
  const harness = await startUpdater(t, {
    root,
    models: [
      { target: A, hf: { repo: 'acme/a', file: 'a.safetensors' } },
      { target: B, hf: { repo: 'acme/b', file: 'b.safetensors' } },
    ],
  });
  const a = randomModel(1200 * KiB);
  const b = randomModel(1200 * KiB);
  harness.hub.publishHf('acme/a', 'a.safetensors', a);
  harness.hub.publishHf('acme/b', 'b.safetensors', b);

  // Two runs at once: each may find room when it starts, but both cannot fit.
  const reports = await Promise.all([harness.service.run([A]), harness.service.run([B])]);
  const outcomes = reports.map((report) => report.entries[0]!);
  const failed = outcomes.filter((entry) => entry.status !== 'updated');
  t.true(failed.length >= 1);
  for (const entry of failed) {
    t.like(entry, { status: 'error', error: { code: 'E_NO_SPACE' } });
    await t.throwsAsync(fs.stat(harness.file(entry.target)), undefined, 'nothing half-written reaches the library');
  }
  for (const entry of outcomes.filter((outcome) => outcome.status === 'updated')) {
    t.is(sha256Hex(await fs.readFile(harness.file(entry.target))), entry.remote!.sha256);
  }
  t.deepEqual(await stagingOf(root), [], 'the partial downloads gave their space back');

  // With the space back, the update that failed goes through on its own (after the other's file is removed).
  for (const entry of outcomes) await fs.rm(harness.file(entry.target), { force: true });
  const retry = await harness.service.run([failed[0]!.target]);
  t.is(retry.entries[0]!.status, 'updated');
});
