/**
 * A process that races for a PidFileLock on command, for the race test.
 * It reads one command per line on stdin and answers one line on stdout:
 *
 *   take FILE AT [RECOGNISE]  waits until AT (epoch ms), so that racers start
 *                             together, then acquires FILE: `won`, or
 *                             `held PID`, or `error MESSAGE`
 *   release                   releases what it won: `released`
 *
 *   node --import tsx test/helpers/lock-racer.ts
 */
import { createInterface } from 'node:readline';
import { setTimeout as delay } from 'node:timers/promises';
import { LockHeldError } from '../../src/lock/errors.js';
import { PidFileLock } from '../../src/lock/pid-file-lock.js';

let held: PidFileLock | undefined;

async function startAt(at: number): Promise<void> {
  const early = at - Date.now() - 5;
  if (early > 0) await delay(early);
  // The last milliseconds spin: a timer may fire a millisecond or two late, which would spoil the race.
  while (Date.now() < at) {
    /* spin */
  }
}

async function answer(line: string): Promise<string> {
  const [command, file, at, recognise] = line.split(' ');
  if (command === 'release') {
    await held?.release();
    held = undefined;
    return 'released';
  }
  if (command !== 'take' || file === undefined || at === undefined) return `error unknown command ${line}`;
  await startAt(Number(at));
  try {
    held = await PidFileLock.acquire(file, { holder: 'racer', ...(recognise === undefined ? {} : { recognise: new RegExp(recognise) }) });
    return 'won';
  } catch (error) {
    if (error instanceof LockHeldError) return `held ${error.holder.pid}`;
    return `error ${error instanceof Error ? error.message : String(error)}`;
  }
}

process.stdout.write('ready\n');
for await (const line of createInterface({ input: process.stdin })) process.stdout.write(`${await answer(line)}\n`);
