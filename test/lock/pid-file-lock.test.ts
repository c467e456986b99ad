import test from 'ava';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { LockHeldError } from '../../src/lock/errors.js';
import { holderRuns, parseRecord } from '../../src/lock/lock-record.js';
import { PidFileLock } from '../../src/lock/pid-file-lock.js';
import { bootTime, processStartTime } from '../../src/lock/process-identity.js';
import { tempDir } from '../helpers/temp-dir.js';

/** Far above any pid the kernel gives (pid_max is at most 2^22): never running. */
const DEAD_PID = 2 ** 22 + 12345;

async function lockFile(t: import('ava').ExecutionContext): Promise<string> {
  return path.join(await tempDir(t, 'arena-lock-'), 'test.lock');
}

/** A live process that is not the test runner: `sleep`, killed when the test ends. */
function otherProcess(t: import('ava').ExecutionContext): number {
  const child = spawn('sleep', ['60'], { stdio: 'ignore' });
  t.teardown(() => {
    child.kill();
  });
  return child.pid!;
}

test('the lock file names its holder with its start time, and release removes it', async (t) => {
  const file = await lockFile(t);
  const lock = await PidFileLock.acquire(file, { holder: 'arenad' });
  const record = parseRecord(await fs.readFile(file, 'utf8'));
  t.like(record, { pid: process.pid, holder: 'arenad', startTime: processStartTime(process.pid) });
  t.is(typeof record?.since, 'number');
  await lock.release();
  await t.throwsAsync(fs.stat(file), { code: 'ENOENT' });
});

test('a running holder refuses the lock with E_LOCKED and its pid, and its file is left alone', async (t) => {
  const file = await lockFile(t);
  const pid = otherProcess(t);
  const text = `${JSON.stringify({ pid, startTime: processStartTime(pid), since: Date.now(), holder: 'arenactl' })}\n`;
  await fs.writeFile(file, text);
  const error = await t.throwsAsync(PidFileLock.acquire(file), {
    instanceOf: LockHeldError,
    code: 'E_LOCKED',
    message: /arenactl \(pid \d+\) holds the lock/,
  });
  t.is(error?.holder.pid, pid);
  t.is(await fs.readFile(file, 'utf8'), text);
});

test('this process holding the lock already refuses a second take: two holders in one process are two holders', async (t) => {
  const file = await lockFile(t);
  const first = await PidFileLock.acquire(file);
  t.teardown(() => first.release());
  await t.throwsAsync(PidFileLock.acquire(file), { instanceOf: LockHeldError });
});

test('a lock whose holder is gone, whose pid was reused, or that is not a record at all is taken over at once', async (t) => {
  const file = await lockFile(t);
  const stale = [
    { pid: DEAD_PID, startTime: '1', since: Date.now() },
    { pid: otherProcess(t), startTime: 'not-its-start-time', since: Date.now() },
    'half a record {"pid": 12',
    '',
  ];
  for (const content of stale) {
    await fs.writeFile(file, typeof content === 'string' ? content : JSON.stringify(content));
    const lock = await PidFileLock.acquire(file, { holder: 'arenad' });
    t.is(parseRecord(await fs.readFile(file, 'utf8'))?.pid, process.pid, JSON.stringify(content));
    await lock.release();
  }
});

test('without a start time, a live pid holds the lock unless it runs a program the lock does not recognise or predates the boot', (t) => {
  const pid = otherProcess(t);
  t.true(holderRuns({ pid, since: Date.now() }), 'any running pid, when nothing is to be recognised');
  t.true(holderRuns({ pid }), 'a record without a time either');
  t.false(holderRuns({ pid, since: Date.now() }, /arenad/), 'sleep is not an arenad');
  t.true(holderRuns({ pid, since: Date.now() }, /sleep/));
  t.false(holderRuns({ pid: DEAD_PID, since: Date.now() }));
  const booted = bootTime();
  if (booted !== undefined) t.false(holderRuns({ pid, since: booted - 1000 }), 'written before the machine booted');
});

test('a takeover guard left by a starter killed inside its takeover does not block the next start', async (t) => {
  const file = await lockFile(t);
  const stale = JSON.stringify({ pid: DEAD_PID, since: Date.now() });
  await fs.writeFile(file, stale);
  const guard = `${file}.takeover-${createHash('sha256').update(stale).digest('hex').slice(0, 16)}`;
  await fs.writeFile(guard, JSON.stringify({ pid: DEAD_PID + 1, since: Date.now() }));
  const lock = await PidFileLock.acquire(file);
  t.is(parseRecord(await fs.readFile(file, 'utf8'))?.pid, process.pid);
  t.deepEqual(await fs.readdir(path.dirname(file)), ['test.lock'], 'the dead guard is gone too');
  await lock.release();
});

test('release leaves a lock that is no longer ours', async (t) => {
  const file = await lockFile(t);
  const lock = await PidFileLock.acquire(file);
  const other = `${JSON.stringify({ pid: DEAD_PID, since: Date.now() })}\n`;
  await fs.writeFile(file, other);
  await lock.release();
  t.is(await fs.readFile(file, 'utf8'), other);
});
