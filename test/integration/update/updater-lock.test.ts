import test from 'ava';
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import { once } from 'node:events';
import path from 'node:path';
import sinon from 'sinon';
import { processStartTime } from '../../../src/lock/process-identity.js';
import { silentLogger } from '../../../src/log/logger.js';
import { UpdaterLock } from '../../../src/update/updater-lock.js';
import { eventually } from '../../helpers/raw-socket.js';
import { tempDir } from '../../helpers/temp-dir.js';

test('a daemon that waits for the update lock takes it once the other updater ends, and says so', async (t) => {
  const stateDir = await tempDir(t, 'arena-updater-lock-');
  const other = spawn('sleep', ['60'], { stdio: 'ignore' });
  t.teardown(() => {
    other.kill();
  });
  const file = path.join(stateDir, 'updater.lock');
  await fs.writeFile(file, `${JSON.stringify({ pid: other.pid, startTime: processStartTime(other.pid!), since: Date.now(), holder: 'arenactl' })}\n`);
  // Only the retry's interval is faked: the lock's own file work runs for real.
  const clock = sinon.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
  t.teardown(() => clock.restore());
  let changes = 0;
  const lock = new UpdaterLock(stateDir, 'arenad', silentLogger, () => (changes += 1));

  await lock.take('wait');
  t.regex(lock.problem() ?? '', new RegExp(`^updates wait: arenactl \\(pid ${other.pid}\\) is updating models`));
  t.throws(() => lock.throwIfWaiting(), { code: 'E_LOCKED' });
  t.is(changes, 1);

  other.kill();
  await once(other, 'exit');
  // Each tick is a retry; one that overlaps the last finds it still under way and does nothing.
  await eventually(
    async () => {
      await clock.tickAsync(30_000);
      return lock.problem() === undefined;
    },
    5000,
    'the lock taken',
  );
  t.notThrows(() => lock.throwIfWaiting());
  t.is(changes, 2);
  t.like(JSON.parse(await fs.readFile(file, 'utf8')), { pid: process.pid, holder: 'arenad' });
  await lock.release();
  await t.throwsAsync(fs.stat(file), { code: 'ENOENT' });
});
