import fs from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import test from 'ava';
import { defaultLogFile, logFileFor } from '../../src/log/log-destination.js';
import { createLogger } from '../../src/log/logger.js';
import { eventually } from '../helpers/raw-socket.js';
import { tempDir } from '../helpers/temp-dir.js';

function captured() {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  return { stream, lines: () => text.split('\n').filter(Boolean) };
}

function fileLines(file: string): string[] {
  return fs.readFileSync(file, 'utf8').split('\n').filter(Boolean);
}

test('the log file is created private in a private new folder, with the very lines the stream shows', async (t) => {
  const dir = await tempDir(t);
  const file = path.join(dir, 'state', 'arena', 'arenad.log');
  const { stream, lines } = captured();
  const handle = createLogger({ level: 'info', style: 'plain', stream, file: { file } });
  t.deepEqual(handle.destination, { journal: false, file });
  handle.logger.info('control socket listening', { socket: '/run/x.sock' });
  handle.logger.warn('library root /nas is missing');
  await handle.close();
  t.is(fs.statSync(file).mode & 0o777, 0o600);
  t.is(fs.statSync(path.dirname(file)).mode & 0o777, 0o700);
  t.is(lines().length, 2);
  t.deepEqual(fileLines(file), lines(), 'same timestamps, same text');
});

test('the file is rotated by size: the active name stays, older lines move to .1, .2, ... and the oldest go', async (t) => {
  const dir = await tempDir(t);
  const file = path.join(dir, 'arenad.log');
  const handle = createLogger({ level: 'info', style: 'plain', stream: new PassThrough().resume(), file: { file, rotateBytes: 1000 } });
  for (let index = 1; index <= 300; index++) handle.logger.info(`line ${String(index).padStart(3, '0')} ${'x'.repeat(40)}`);
  await handle.close();
  const names = fs.readdirSync(dir).sort();
  t.deepEqual(names, ['arenad.log', 'arenad.log.1', 'arenad.log.2', 'arenad.log.3', 'arenad.log.4', 'arenad.log.5']);
  for (const name of names) t.true(fs.statSync(path.join(dir, name)).size < 1000 + 200, `${name} stays near the rotation size`);
  const kept = ['arenad.log.5', 'arenad.log.4', 'arenad.log.3', 'arenad.log.2', 'arenad.log.1', 'arenad.log'].flatMap((name) =>
    fileLines(path.join(dir, name)),
  );
  const numbers = kept.map((line) => Number(/line (\d+)/.exec(line)![1]));
  t.is(numbers.at(-1), 300, 'the newest line is in the active file');
  t.deepEqual(
    numbers,
    numbers.map((_, index) => numbers[0]! + index),
    'the kept files hold consecutive lines, oldest first',
  );
  t.true(numbers[0]! > 1, 'the oldest lines were dropped');
});

test('when stderr already is the log file (arenad 2>>arenad.log), each line is written once', async (t) => {
  const dir = await tempDir(t);
  const file = path.join(dir, 'arenad.log');
  const fd = fs.openSync(file, 'a', 0o600);
  const stderr = fs.createWriteStream('', { fd, autoClose: false });
  t.teardown(() => fs.closeSync(fd));
  const handle = createLogger({ level: 'info', style: 'plain', stream: stderr, file: { file } });
  handle.logger.info('only once');
  await handle.close();
  t.is(fileLines(file).filter((line) => line.endsWith('only once')).length, 1);
});

test('a log file that cannot be written leaves the stream logging, says why, and reports no file', async (t) => {
  const dir = await tempDir(t);
  const notAFolder = path.join(dir, 'plain-file');
  fs.writeFileSync(notAFolder, '');
  const inside = captured();
  const blocked = createLogger({ level: 'info', style: 'plain', stream: inside.stream, file: { file: path.join(notAFolder, 'arenad.log') } });
  blocked.logger.info('still here');
  await blocked.close();
  t.is(blocked.destination.file, null);
  t.regex(inside.lines().join('\n'), /warn {2}cannot write the log file .*plain-file\/arenad\.log: .*; logging to stderr only/);
  t.regex(inside.lines().join('\n'), /still here/);

  // A folder where the file should be fails only when the stream opens it, after start-up.
  const folder = path.join(dir, 'a-folder.log');
  fs.mkdirSync(folder);
  const later = captured();
  const handle = createLogger({ level: 'info', style: 'plain', stream: later.stream, file: { file: folder } });
  handle.logger.info('first');
  await eventually(() => later.lines().some((line) => line.includes('cannot write the log file')), 10_000, 'the open to fail');
  handle.logger.info('after the failure');
  await handle.close();
  t.is(handle.destination.file, null);
  t.regex(later.lines().join('\n'), /cannot write the log file .*a-folder\.log/);
  t.regex(later.lines().join('\n'), /after the failure/);
});

test('where the log goes: the configured file, else the default outside the journal, else none; off is none', (t) => {
  const settings = { stateDir: '/home/u/.local/state/arena', home: '/home/u', os: 'linux' as const };
  t.is(logFileFor({ ...settings, configured: '' }, false), '/home/u/.local/state/arena/arenad.log');
  t.is(logFileFor({ ...settings, configured: '' }, true), null, 'the journal has every line already');
  t.is(logFileFor({ ...settings, configured: '/var/log/arena.log' }, true), '/var/log/arena.log');
  t.is(logFileFor({ ...settings, configured: 'off' }, false), null);
  t.is(defaultLogFile({ ...settings, os: 'darwin' }), '/home/u/Library/Logs/arena/arenad.log');
});
