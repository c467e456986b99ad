/**
 * Logs where the user looks, outside systemd: someone who followed the README
 * (`npm start`, or `arenad &` in a terminal) asks `arenactl logs` what the
 * daemon said, follows it with `-f`, and reads it without escape codes when
 * it is piped or NO_COLOR is set.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { arenactlJson, makeWorld, sh, startArenad, until, type World } from './helpers/product.js';

const ESC = '\u001b';

test('arenad run the README way keeps a private log file that arenactl logs -n shows, and -f follows', async (t) => {
  const world = await makeWorld(t);
  const daemon = await startArenad(t, world);
  const status = await arenactlJson<{ pid: number; log?: { journal: boolean; file: string | null } }>(world, 'status');
  const logFile = path.join(world.stateDir, 'arenad.log');
  t.deepEqual(status.log, { journal: false, file: logFile }, 'status names where the log goes');
  t.is(fs.statSync(logFile).mode & 0o777, 0o600, 'the log file is private to the daemon user');

  const last = await sh(world, 'arenactl logs -n 5');
  t.is(last.code, 0, last.stderr);
  const lines = last.stdout.split('\n').filter((line) => line !== '');
  t.is(lines.length, 5, last.stdout);
  for (const line of lines) t.true(daemon.output().includes(line), `"${line}" is a line the daemon printed:\n${daemon.output()}`);
  t.true(
    lines.some((line) => line.includes(`pid=${status.pid}`)),
    'the start-up line is among the last five',
  );

  // Piped into head, as people read a long log.
  const head = await sh(world, 'arenactl logs -n 50 | head -1');
  t.is(head.code, 0, head.stderr);
  t.regex(head.stdout, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} info {2}/);

  // -f prints what the daemon says after it started following.
  const follower = spawn('bash', ['-c', 'exec arenactl logs -f -n 1'], { cwd: world.home, env: world.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let followed = '';
  follower.stdout.on('data', (chunk: Buffer) => (followed += chunk.toString()));
  follower.stderr.on('data', (chunk: Buffer) => (followed += chunk.toString()));
  const followerExit = new Promise<void>((resolve) => follower.once('exit', () => resolve()));
  t.teardown(() => follower.kill('SIGKILL'));
  // Once it shows the last line it follows the file; the reload comes after that.
  await until(
    () => followed.includes('\n'),
    30_000,
    () => 'arenactl logs -f to show the last line',
  );
  t.notRegex(followed, /SIGHUP: reloading/);
  process.kill(status.pid, 'SIGHUP');
  await until(
    () => /SIGHUP: reloading the configuration/.test(followed),
    15_000,
    () => `arenactl logs -f to print the reload; it printed:\n${followed}`,
  );
  follower.kill('SIGINT');
  await followerExit;
  // The follower ends with arenactl: nothing keeps reading the file after it.
  await until(
    async () => (await sh(world, `pgrep -f "tail .*${logFile}"`)).code === 1,
    5000,
    () => 'the tail under arenactl logs -f to end with it',
  );

  // Followed into head, as people look at the start of it: it ends, quietly, once the daemon writes again.
  const headed = sh(world, 'arenactl logs -f -n 2 | head -2', { timeoutMs: 30_000 });
  let settled = false;
  // Either way the loop ends; a failure surfaces where `headed` is awaited below.
  const markSettled = () => (settled = true);
  headed.then(markSettled, markSettled);
  while (!settled) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    if (!settled) process.kill(status.pid, 'SIGHUP');
  }
  const headedResult = await headed;
  t.is(headedResult.code, 0, headedResult.stderr);
  t.is(headedResult.stderr, '');
  t.is(headedResult.stdout.split('\n').filter(Boolean).length, 2);

  // Without a daemon, the same file is still there to read.
  await daemon.stop();
  const after = await sh(world, 'arenactl logs -n 3');
  t.is(after.code, 0, after.stderr);
  t.regex(after.stdout, /stopped/);
});

test('log.file off (ARENA_LOG_FILE=off) writes no file, and arenactl logs says where the log is not', async (t) => {
  const world = await makeWorld(t, { env: { ARENA_LOG_FILE: 'off' } });
  await startArenad(t, world);
  const status = await arenactlJson<{ log?: { journal: boolean; file: string | null } }>(world, 'status');
  t.deepEqual(status.log, { journal: false, file: null });
  t.false(fs.existsSync(path.join(world.stateDir, 'arenad.log')));
  const logs = await sh(world, 'arenactl logs -n 5');
  t.is(logs.code, 1);
  t.regex(logs.stderr, /log\.file is off/);
});

test('ARENA_LOG_FILE moves the log, and arenactl logs in another shell learns where from the daemon', async (t) => {
  const world = await makeWorld(t);
  const moved = path.join(world.home, 'logs', 'arena.log');
  await startArenad(t, world, { env: { ARENA_LOG_FILE: moved } });
  // This shell has no ARENA_LOG_FILE: only the running daemon knows the file.
  const logs = await sh(world, 'arenactl logs -n 20');
  t.is(logs.code, 0, logs.stderr);
  t.regex(logs.stdout, /control socket listening/);
  t.false(fs.existsSync(path.join(world.stateDir, 'arenad.log')));
  const json = await arenactlJson<{ file: string; lines: string[] }>(world, 'logs -n 3');
  t.is(json.file, moved);
  t.is(json.lines.length, 3);
});

/** Runs a shell line that starts arenad, collects what it prints until it is up, then stops it with SIGINT (Ctrl-C). */
async function startupOutput(t: ExecutionContext, world: World, line: string): Promise<string> {
  const child = spawn('bash', ['-c', line], { cwd: world.home, env: world.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  t.teardown(() => child.kill('SIGKILL'));
  await until(
    () => /arenad \S+ (ready|degraded)/.test(output),
    60_000,
    () => `arenad to start; it printed:\n${output}`,
  );
  const { pid } = await arenactlJson<{ pid: number }>(world, 'status');
  process.kill(pid, 'SIGINT');
  await exited;
  return output;
}

test('arenad output has no escape codes when piped or when NO_COLOR is set, and is coloured on a plain terminal', async (t) => {
  const world = await makeWorld(t);
  // `script` gives arenad a pseudo-terminal, as a terminal window does.
  const coloured = await startupOutput(t, world, 'script -qfec arenad /dev/null');
  t.true(coloured.includes('control socket listening'), coloured);
  t.true(coloured.includes(ESC), 'on a terminal the levels are coloured');

  const noColor = await startupOutput(t, world, 'NO_COLOR=1 script -qfec arenad /dev/null');
  t.true(noColor.includes('control socket listening'), noColor);
  t.false(noColor.includes(ESC), `NO_COLOR=1 leaves out every escape code:\n${JSON.stringify(noColor.slice(0, 400))}`);

  const piped = await startupOutput(t, world, 'arenad 2>&1 | cat');
  t.true(piped.includes('control socket listening'), piped);
  t.false(piped.includes(ESC));
});

test('arenad -V prints the version like --version', async (t) => {
  const world = await makeWorld(t);
  const short = await sh(world, 'arenad -V');
  const long = await sh(world, 'arenad --version');
  t.is(short.code, 0);
  t.regex(short.stdout, /^\d+\.\d+\.\d+\n$/);
  t.is(short.stdout, long.stdout);
  const help = await sh(world, 'arenad --help');
  t.regex(help.stdout, /^ {2}-V, --version {3}print the version$/m);
});
