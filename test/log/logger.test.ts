import fs from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import test from 'ava';
import { tempDir } from '../helpers/temp-dir.js';
import { createLogger, detectLogStyle, type LogStyle } from '../../src/log/logger.js';
import { clearSecrets, registerSecret } from '../../src/log/redact.js';

function capture(style: LogStyle, level: 'debug' | 'info' = 'debug') {
  const stream = new PassThrough();
  const chunks: string[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk.toString('utf8')));
  const handle = createLogger({ level, style, stream });
  return { handle, lines: () => chunks.join('').split('\n').filter(Boolean) };
}

test.afterEach(() => clearSecrets());

test('journal style prefixes each entry with its syslog priority and no timestamp', async (t) => {
  const { handle, lines } = capture('journal');
  handle.logger.error('copy failed', { path: '/nas/a b.safetensors' });
  handle.logger.warn('root slow');
  handle.logger.info('ready');
  handle.logger.debug('tick');
  await handle.close();
  t.deepEqual(lines(), ['<3>copy failed path="/nas/a b.safetensors"', '<4>root slow', '<6>ready', '<7>tick']);
});

test('journal style folds a stack trace onto the entry line', async (t) => {
  const { handle, lines } = capture('journal');
  handle.logger.error('boom', { err: new Error('inner failure') });
  await handle.close();
  const out = lines();
  t.is(out.length, 1);
  t.regex(out[0]!, /^<3>boom err=".*inner failure.*⏎ at /);
});

test('terminal style is coloured and timestamped; plain style is timestamped without colour', async (t) => {
  const terminal = capture('terminal');
  terminal.handle.logger.info('hello');
  await terminal.handle.close();
  // eslint-disable-next-line no-control-regex -- the escape codes of the colours are what this test checks
  t.regex(terminal.lines()[0]!, /^\u001b\[90m\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}\u001b\[0m \u001b\[32minfo/);
  const plain = capture('plain');
  plain.handle.logger.info('hello');
  await plain.handle.close();
  t.regex(plain.lines()[0]!, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} info {2}hello$/);
});

test('the logger redacts registered tokens, bearer headers and secret-named fields itself', async (t) => {
  registerSecret('hf_abcdefghijklmnop');
  const { handle, lines } = capture('journal');
  handle.logger.info('fetch https://hub/x?token=zzzzzz failed for hf_abcdefghijklmnop', {
    headers: { authorization: 'Bearer qqqqqqqq' },
    token: 'civitai-secret-value',
    err: new Error('401 with hf_abcdefghijklmnop'),
  });
  await handle.close();
  const line = lines().join('\n');
  t.false(line.includes('hf_abcdefghijklmnop'));
  t.false(line.includes('zzzzzz'));
  t.false(line.includes('qqqqqqqq'));
  t.false(line.includes('civitai-secret-value'));
  t.true(line.includes('[REDACTED]'));
});

test('level filtering drops entries below the level, and setLevel changes it live', async (t) => {
  const { handle, lines } = capture('journal', 'info');
  handle.logger.debug('hidden');
  handle.setLevel('debug');
  handle.logger.debug('shown');
  await handle.close();
  t.deepEqual(lines(), ['<7>shown']);
});

test('style detection: the journal only for the very stream JOURNAL_STREAM names, colour only on a terminal without NO_COLOR', async (t) => {
  const dir = await tempDir(t);
  const fd = fs.openSync(path.join(dir, 'stream'), 'w');
  t.teardown(() => fs.closeSync(fd));
  const { dev, ino } = fs.fstatSync(fd);
  t.is(detectLogStyle({ JOURNAL_STREAM: `${dev}:${ino}` }, { isTTY: false, fd }), 'journal');
  // Inherited by a shell started from a service, while this output goes elsewhere.
  t.is(detectLogStyle({ JOURNAL_STREAM: `${dev}:${ino + 1}` }, { isTTY: true, fd }), 'terminal');
  t.is(detectLogStyle({ JOURNAL_STREAM: `${dev}:${ino}` }, { isTTY: true }), 'terminal', 'a stream without a descriptor is no journal');
  t.is(detectLogStyle({}, { isTTY: true }), 'terminal');
  t.is(detectLogStyle({}, { isTTY: false }), 'plain');
  t.is(detectLogStyle({ NO_COLOR: '1' }, { isTTY: true }), 'plain');
  t.is(detectLogStyle({ NO_COLOR: '' }, { isTTY: true }), 'terminal', 'an empty NO_COLOR is unset');
});
