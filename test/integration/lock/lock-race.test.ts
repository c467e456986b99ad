/**
 * Two processes that start together and find the same stale lock: exactly
 * one may win, every round. The racers are real processes (a lock is about
 * processes), started once and told when to race, so that both try within
 * the same millisecond.
 */
import test from 'ava';
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { tempDir } from '../../helpers/temp-dir.js';

const RACER = fileURLToPath(new URL('../../helpers/lock-racer.ts', import.meta.url));
const ROUNDS = 50;
/** Far above any pid the kernel gives (pid_max is at most 2^22): never running. */
const DEAD_PID = 2 ** 22 + 12345;

interface Racer {
  readonly pid: number;
  /** Sends a command; resolves with its one-line answer. */
  ask(line: string): Promise<string>;
}

function startRacer(t: import('ava').ExecutionContext): Promise<Racer> {
  const child: ChildProcessByStdio<Writable, Readable, null> = spawn(process.execPath, ['--import', 'tsx', RACER], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  t.teardown(() => {
    child.kill();
  });
  const waiting: Array<(line: string) => void> = [];
  let buffered = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    buffered += chunk;
    for (let end = buffered.indexOf('\n'); end >= 0; end = buffered.indexOf('\n')) {
      const line = buffered.slice(0, end);
      buffered = buffered.slice(end + 1);
      waiting.shift()?.(line);
    }
  });
  const next = () => new Promise<string>((resolve) => waiting.push(resolve));
  const ready = next();
  return ready.then((line) => {
    if (line !== 'ready') throw new Error(`the racer said ${line}`);
    return {
      pid: child.pid!,
      ask: (command) => {
        const reply = next();
        child.stdin.write(`${command}\n`);
        return reply;
      },
    };
  });
}

/** The stale locks a starter may find: a dead pid, a reused pid (another start time), a pid that runs another program. */
function staleLock(round: number): { text: string; recognise?: string } {
  const since = Date.now() - 60_000;
  switch (round % 3) {
    case 0:
      return { text: JSON.stringify({ pid: DEAD_PID, startTime: '1', since, holder: 'racer' }) };
    case 1:
      return { text: JSON.stringify({ pid: process.pid, startTime: 'not-this-process', since, holder: 'racer' }) };
    default:
      // No start time, and this pid runs the test runner, not a racer: stale to a lock that recognises racers only.
      return { text: JSON.stringify({ pid: process.pid, since }), recognise: 'lock-racer' };
  }
}

test(`two starters racing for the same stale lock: exactly one wins, ${ROUNDS} rounds out of ${ROUNDS}`, async (t) => {
  const dir = await tempDir(t, 'arena-lock-race-');
  const file = path.join(dir, 'arenad.lock');
  const racers = await Promise.all([startRacer(t), startRacer(t)]);
  for (let round = 0; round < ROUNDS; round += 1) {
    const stale = staleLock(round);
    await fs.writeFile(file, `${stale.text}\n`);
    const at = Date.now() + 50;
    const answers = await Promise.all(
      racers.map((racer) => racer.ask(`take ${file} ${at}${stale.recognise === undefined ? '' : ` ${stale.recognise}`}`)),
    );
    const winners = racers.filter((_, index) => answers[index] === 'won');
    t.is(winners.length, 1, `round ${round}: ${answers.join(', ')}`);
    const [winner] = winners;
    if (winner === undefined) return;
    const loser = racers.find((racer) => racer !== winner)!;
    t.is(answers[racers.indexOf(loser)], `held ${winner.pid}`, `round ${round}: the other is told who holds it`);
    t.like(JSON.parse(await fs.readFile(file, 'utf8')), { pid: winner.pid, holder: 'racer' });
    t.deepEqual(await fs.readdir(dir), ['arenad.lock'], `round ${round}: no draft or takeover guard is left behind`);
    t.is(await winner.ask('release'), 'released');
    t.deepEqual(await fs.readdir(dir), [], `round ${round}: released`);
  }
});
