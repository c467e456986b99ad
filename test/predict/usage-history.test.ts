import test from 'ava';
import { appendFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { silentLogger } from '../../src/log/logger.js';
import { UsageHistoryError } from '../../src/predict/errors.js';
import { UsageHistory, type UsageHistoryOptions } from '../../src/predict/usage-history.js';
import { tempDir } from '../helpers/temp-dir.js';
import { recordingLogger } from './recording-logger.js';

const HOUR = 3_600_000;

function clock(start: number) {
  let now = start;
  return { now: () => now, set: (value: number) => void (now = value) };
}

function run(at: number, runId: string, ...keys: string[]) {
  return { at, runId, origin: `output/${runId}.png`, models: keys.map((key) => ({ key, bytes: key.length * 1000 })) };
}

async function fileLines(file: string): Promise<string[]> {
  return (await readFile(file, 'utf8')).split('\n').filter((line) => line !== '');
}

async function open(options: Partial<UsageHistoryOptions> & { stateDir: string }): Promise<UsageHistory> {
  return UsageHistory.open({ logger: silentLogger, ...options });
}

test('recorded runs are answered at once and survive a reload', async (t) => {
  const stateDir = path.join(await tempDir(t), 'state', 'arena');
  const time = clock(100 * HOUR);
  const history = await open({ stateDir, now: time.now });
  await history.record(run(90 * HOUR, 'r1', 'checkpoints/a.safetensors', 'loras/x.safetensors'));
  await history.record(run(95 * HOUR, 'r2', 'checkpoints/a.safetensors'));
  await history.record({ at: 99 * HOUR, runId: 'r3', origin: 'prompt p-3', models: [{ key: 'vae/v.safetensors' }] });

  const check = (h: UsageHistory) => {
    t.deepEqual(
      h.runs().map((r) => r.runId),
      ['r1', 'r2', 'r3'],
    );
    t.deepEqual(
      h.runs(95 * HOUR).map((r) => r.runId),
      ['r2', 'r3'],
    );
    t.is(h.usesOf('checkpoints/a.safetensors'), 2);
    t.is(h.usesOf('checkpoints/a.safetensors', 91 * HOUR), 1);
    t.is(h.usesOf('embeddings/none'), 0);
    t.is(h.lastUsed('checkpoints/a.safetensors'), 95 * HOUR);
    t.is(h.lastUsed('loras/x.safetensors'), 90 * HOUR);
    t.is(h.lastUsed('embeddings/none'), undefined);
    t.deepEqual(h.runs()[2], { t: 99 * HOUR, runId: 'r3', origin: 'prompt p-3', models: [{ key: 'vae/v.safetensors' }] });
  };
  check(history);
  check(await open({ stateDir, now: time.now }));
  const lines = await fileLines(history.file);
  t.is(history.file, path.join(stateDir, 'usage.ndjson'));
  t.deepEqual(JSON.parse(lines[0]!), {
    t: 90 * HOUR,
    runId: 'r1',
    origin: 'output/r1.png',
    models: [
      { key: 'checkpoints/a.safetensors', bytes: 25_000 },
      { key: 'loras/x.safetensors', bytes: 19_000 },
    ],
  });
});

test('a line cut short by a crash is skipped with one warning, and the file is healed for the next append', async (t) => {
  const stateDir = await tempDir(t);
  const time = clock(10 * HOUR);
  const first = await open({ stateDir, now: time.now });
  await first.record(run(1 * HOUR, 'r1', 'checkpoints/a.safetensors'));
  await first.record(run(2 * HOUR, 'r2', 'checkpoints/b.safetensors'));
  // A line of the wrong shape in the middle, and a half-written one at the end.
  await appendFile(first.file, '{"t": 5, "origin": "no run id"}\n');
  await appendFile(first.file, JSON.stringify({ t: 3 * HOUR, runId: 'r3', origin: 'x', models: [] }).slice(0, 25));

  const log = recordingLogger();
  const second = await open({ stateDir, now: time.now, logger: log.logger });
  t.deepEqual(
    second.runs().map((r) => r.runId),
    ['r1', 'r2'],
  );
  t.is(log.at('warn').length, 1);
  t.regex(log.at('warn')[0]!.message, /skipped 2 unreadable line\(s\) of the usage history .*usage\.ndjson/);
  await second.record(run(4 * HOUR, 'r4', 'checkpoints/a.safetensors'));

  const quiet = recordingLogger();
  const third = await open({ stateDir, now: time.now, logger: quiet.logger });
  t.deepEqual(
    third.runs().map((r) => r.runId),
    ['r1', 'r2', 'r4'],
  );
  t.deepEqual(quiet.at('warn'), []);
  t.is((await fileLines(third.file)).length, 3);
});

test('runs older than the retention are forgotten, and compaction rewrites the file with the recent ones', async (t) => {
  const stateDir = await tempDir(t);
  const time = clock(0);
  const history = await open({ stateDir, now: time.now, retentionMs: 10 * HOUR, compactMinLines: 6 });
  for (let hour = 0; hour < 4; hour += 1) await history.record(run(hour * HOUR, `old${hour}`, 'checkpoints/old.safetensors'));
  time.set(20 * HOUR);
  t.deepEqual(history.runs(), []);
  t.is(history.lastUsed('checkpoints/old.safetensors'), undefined);
  await history.record(run(20 * HOUR, 'new1', 'checkpoints/new.safetensors'));
  t.is((await fileLines(history.file)).length, 5);
  await history.record(run(20 * HOUR + 1, 'new2', 'checkpoints/new.safetensors'));

  const lines = await fileLines(history.file);
  t.deepEqual(
    lines.map((line) => (JSON.parse(line) as { runId: string }).runId),
    ['new1', 'new2'],
  );
  const reloaded = await open({ stateDir, now: time.now, retentionMs: 10 * HOUR });
  t.deepEqual(
    reloaded.runs().map((r) => r.runId),
    ['new1', 'new2'],
  );
  t.is(reloaded.usesOf('checkpoints/new.safetensors'), 2);
});

test('a failing write is logged once, the run still counts, and writing resumes', async (t) => {
  const stateDir = await tempDir(t);
  const log = recordingLogger();
  const history = await open({ stateDir, logger: log.logger });
  // A folder where the file should be: every append fails.
  await mkdir(history.file);
  await history.record(run(Date.now(), 'r1', 'checkpoints/a.safetensors'));
  await history.record(run(Date.now(), 'r2', 'checkpoints/a.safetensors'));
  t.is(history.usesOf('checkpoints/a.safetensors'), 2);
  t.is(log.at('warn').length, 1);
  t.regex(log.at('warn')[0]!.message, /writing the usage history .* failed: .*EISDIR.*; runs are kept in memory only/);

  await rm(history.file, { recursive: true });
  await history.record(run(Date.now(), 'r3', 'checkpoints/a.safetensors'));
  t.true(log.has('info', /written again/));
  t.is((await fileLines(history.file)).length, 1);
});

test('a history that cannot be read stops the start with a typed error that says what to do', async (t) => {
  const stateDir = await tempDir(t);
  await mkdir(path.join(stateDir, 'usage.ndjson'));
  const error = await t.throwsAsync(open({ stateDir }), { instanceOf: UsageHistoryError });
  t.is(error?.code, 'E_USAGE_HISTORY');
  t.regex(error?.message ?? '', /cannot read the usage history .*usage\.ndjson \(.*EISDIR.*\); check that the state directory/);
});

test('blank lines are not counted as damage', async (t) => {
  const stateDir = await tempDir(t);
  await writeFile(path.join(stateDir, 'usage.ndjson'), `\n${JSON.stringify({ t: Date.now(), runId: 'r1', origin: 'o', models: [] })}\n\n`);
  const log = recordingLogger();
  const history = await open({ stateDir, logger: log.logger });
  t.is(history.runs().length, 1);
  t.deepEqual(log.at('warn'), []);
});
