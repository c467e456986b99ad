/**
 * `arenactl logs` on Linux when the log is a file: with no daemon and no
 * unit it reads the file the local configuration names, and `-f` keeps
 * following it when the daemon's logger rotates it (a real `tail` here).
 */
import fs from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import test from 'ava';
import { execa, type ResultPromise } from 'execa';
import type { CliIo } from '../../../src/cli/cli-io.js';
import { logsCommand } from '../../../src/cli/commands/logs.js';
import { runCli } from '../../../src/cli/run-cli.js';
import { createLogger } from '../../../src/log/logger.js';
import type { RunOptions } from '../../../src/service/command-runner.js';
import { writeFile } from '../../helpers/platform.js';
import { eventually } from '../../helpers/raw-socket.js';
import { tempDir } from '../../helpers/temp-dir.js';
import { fakeRunner, type FakeRunner } from '../../service/helpers/fake-runner.js';
import { runCommands } from '../../service/helpers/run-commands.js';
import { serviceFixture, type FixtureOptions } from '../../service/helpers/service-fixture.js';

async function setup(t: Parameters<typeof tempDir>[0], options: FixtureOptions = {}) {
  const base = await tempDir(t);
  // No daemon answers on this socket, and no unit is installed in the fixture's system folders.
  const fixture = serviceFixture(base, { ...options, env: { ARENA_SOCKET: path.join(base, 'none.sock'), ...options.env } });
  const stateLog = path.join(base, 'home', '.local', 'state', 'arena', 'arenad.log');
  return { ...fixture, stateLog, run: (argv: readonly string[]) => runCommands(argv, [logsCommand(() => fixture.context)], fixture.context.platform) };
}

test('without a daemon or a unit, logs reads <state.dir>/arenad.log; a missing one is named', async (t) => {
  const runner = fakeRunner([[/^tail/, { stdout: 'a line\n' }]]);
  const { run, stateLog } = await setup(t, { runner });
  const missing = await run(['logs']);
  t.is(missing.code, 1);
  t.is(missing.stderr, `arenactl: no log at ${stateLog} yet: arenad writes it once it runs outside systemd (log.file sets where)\n`);
  t.deepEqual(runner.calls, []);

  writeFile(stateLog, 'a line\n');
  const shown = await run(['logs', '-n', '7']);
  t.is(shown.code, 0, shown.stderr);
  t.deepEqual(runner.calls.at(-1), ['tail', '-n', '7', stateLog]);
  await run(['logs', '-f']);
  t.deepEqual(runner.calls.at(-1), ['tail', '-n', '50', '-F', `--pid=${process.pid}`, stateLog], 'tail ends with arenactl');
  const since = await run(['logs', '--since', 'today']);
  t.is(since.code, 2);
  t.regex(since.stderr, /--since needs the journal; the log is the plain file .*arenad\.log, so use -n/);
});

test('log.file off with no daemon: logs says there is no log and why', async (t) => {
  const { run } = await setup(t, { env: { ARENA_LOG_FILE: 'off' } });
  const result = await run(['logs']);
  t.is(result.code, 1);
  t.regex(result.stderr, /log\.file is off and no daemon is running under systemd, so there is no log to show/);
});

/** Runs programs for real, and keeps hold of them so that the test can end a `tail -F`. */
function stoppableRunner(): FakeRunner & { stop(): void } {
  const children: ResultPromise[] = [];
  const calls: string[][] = [];
  return {
    calls,
    lines: () => calls.map((call) => call.join(' ')),
    async run(file: string, args: readonly string[], options: RunOptions = {}) {
      calls.push([file, ...args]);
      const child = execa(file, [...args], { reject: false, buffer: false, stdin: 'ignore' });
      children.push(child);
      child.stdout?.on('data', (chunk: Buffer) => options.onStdout?.(chunk.toString()));
      child.stderr?.on('data', (chunk: Buffer) => options.onStderr?.(chunk.toString()));
      const result = await child;
      return { exitCode: result.exitCode ?? 0, stdout: '', stderr: '', missing: false };
    },
    stop() {
      for (const child of children) child.kill();
    },
  };
}

test('logs -f follows the file across the logger rotating it', async (t) => {
  const runner = stoppableRunner();
  const { context, stateLog } = await setup(t, { runner });
  const logging = createLogger({ level: 'info', style: 'plain', stream: new PassThrough().resume(), file: { file: stateLog, rotateBytes: 2000 } });
  logging.logger.info('before following');
  await eventually(() => fs.existsSync(stateLog) && fs.readFileSync(stateLog, 'utf8').includes('before following'), 10_000, 'the first line in the file');

  let shown = '';
  const io: CliIo = { stdout: { write: (text: string) => (shown += text) }, stderr: { write: (text: string) => (shown += text) }, platform: context.platform };
  const done = runCli(['logs', '-f', '-n', '1'], io, [logsCommand(() => context)]);
  t.teardown(() => runner.stop());
  await eventually(() => shown.includes('before following'), 15_000, () => `tail to show the last line; it showed: ${shown}`);

  for (let index = 1; index <= 200; index++) logging.logger.info(`rotating line ${index} ${'y'.repeat(60)}`);
  await eventually(() => fs.existsSync(`${stateLog}.2`), 10_000, 'the file to be rotated twice');
  logging.logger.info('after rotation');
  await eventually(() => shown.includes('after rotation'), 15_000, () => `the line written after the rotations to be followed; it showed:\n${shown.slice(-500)}`);
  runner.stop();
  await done;
  await logging.close();
  t.pass();
});
