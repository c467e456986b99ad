/** `arenactl migrate` onto a cache root on another filesystem: a tmpfs, which needs root to mount. */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import { parse } from 'yaml';
import type { MigrationReport } from '../../../src/comfy/migrate.js';
import { ADOPTABLE, legacyCache, runMigrate } from '../../helpers/legacy-cache.js';
import { writeText } from '../../helpers/legacy-comfy.js';
import { sha256Of } from '../../helpers/model-files.js';

const mounts: Array<{ dir: string; mountPoint: string }> = [];
test.after.always(async () => {
  for (const { dir, mountPoint } of mounts) {
    execFileSync('umount', [mountPoint]);
    await rm(dir, { recursive: true, force: true });
  }
});

test('a configured cache root on another filesystem gets verified copies, and the old files go', async (t) => {
  const s = await legacyCache(t);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'arena-migrate-ssd-'));
  const ssd = path.join(dir, 'ssd');
  fs.mkdirSync(ssd);
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64m', 'tmpfs', ssd]);
  mounts.push({ dir, mountPoint: ssd });
  writeText(s.legacy.configFile, `cache:\n  root: ${ssd}\n`);

  const result = await runMigrate(s);
  t.is(result.code, 0, result.stderr);
  const report = result.json<MigrationReport>();
  t.is(report.cache.root, ssd);
  t.deepEqual(
    report.cache.adopted.map((file) => file.how),
    ['copied', 'copied', 'copied', 'copied'],
  );
  for (const [key, model] of Object.entries(ADOPTABLE)) {
    t.is(await sha256Of(path.join(ssd, key)), await sha256Of(path.join(s.legacy.nas, model.nas)), key);
    t.false(fs.existsSync(path.join(s.legacy.oldCache, model.old)), model.old);
  }
  t.deepEqual(fs.readdirSync(path.join(ssd, '.arena', 'staging')), []);
  // The old folder is not the cache: its unmatched files stay where they are.
  t.true(report.cache.unmatched.every((file) => file.movedTo === undefined && fs.existsSync(file.path)));
  t.is(report.cache.unmatchedDir, null);
  t.is((parse(fs.readFileSync(s.legacy.configFile, 'utf8')) as { cache: { root: string } }).cache.root, ssd);
});
