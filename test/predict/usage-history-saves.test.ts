import test from 'ava';
import { appendFile, readFile } from 'node:fs/promises';
import path from 'node:path';
import { silentLogger } from '../../src/log/logger.js';
import { UsageHistory } from '../../src/predict/usage-history.js';
import { tempDir } from '../helpers/temp-dir.js';

const HOUR = 3_600_000;

test('saved workflows are kept beside runs, survive a reload and compaction, and never count as runs', async (t) => {
  const stateDir = await tempDir(t);
  let now = 10 * HOUR;
  const history = await UsageHistory.open({ stateDir, logger: silentLogger, now: () => now, retentionMs: 5 * HOUR, compactMinLines: 4 });
  for (const hour of [1, 2, 3]) {
    await history.recordSave({
      at: hour * HOUR,
      origin: 'user/default/workflows/old.json',
      models: [{ key: 'checkpoints/old.safetensors', bytes: 7 }],
    });
  }
  await history.recordSave({
    at: 6 * HOUR,
    origin: 'user/default/workflows/portrait.json',
    models: [{ key: 'checkpoints/a.safetensors', bytes: 10 }],
  });
  await history.record({ at: 7 * HOUR, runId: 'r1', origin: 'prompt p1', models: [{ key: 'checkpoints/a.safetensors', bytes: 10 }] });

  t.deepEqual(history.saves(), [
    { t: 6 * HOUR, type: 'save', origin: 'user/default/workflows/portrait.json', models: [{ key: 'checkpoints/a.safetensors', bytes: 10 }] },
  ]);
  t.deepEqual(
    history.runs().map((run) => run.runId),
    ['r1'],
  );
  t.is(history.usesOf('checkpoints/a.safetensors'), 1, 'a save is not a use');
  t.is(history.lastUsed('checkpoints/a.safetensors'), 7 * HOUR);

  // Once the file holds as many expired lines as live ones it is compacted: the expired saves go, the live one stays.
  now = 11 * HOUR;
  await history.record({ at: 11 * HOUR, runId: 'r2', origin: 'prompt p2', models: [] });
  const lines = (await readFile(history.file, 'utf8'))
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { type?: string; runId?: string });
  t.deepEqual(
    lines.map((line) => line.type ?? line.runId),
    ['save', 'r1', 'r2'],
  );

  const reloaded = await UsageHistory.open({ stateDir, logger: silentLogger, now: () => now, retentionMs: 5 * HOUR });
  t.deepEqual(
    reloaded.saves().map((save) => save.origin),
    ['user/default/workflows/portrait.json'],
  );
  t.deepEqual(
    reloaded.runs().map((run) => run.runId),
    ['r1', 'r2'],
  );
});

test('readFile reads runs and saves without touching the file, counting the lines it cannot read', async (t) => {
  const stateDir = await tempDir(t);
  const history = await UsageHistory.open({ stateDir, logger: silentLogger });
  await history.recordSave({ at: 1000, origin: 'w.json', models: [{ key: 'loras/x.safetensors', bytes: 5 }] });
  await history.record({ at: 2000, runId: 'r1', origin: 'o', models: [{ key: 'loras/x.safetensors' }] });
  await appendFile(history.file, '{"t": 3000, "type": "save"\n');
  const before = await readFile(history.file, 'utf8');

  const contents = await UsageHistory.readFile(history.file);
  t.deepEqual(
    contents.saves.map((save) => save.t),
    [1000],
  );
  t.deepEqual(contents.runs, [{ t: 2000, runId: 'r1', origin: 'o', models: [{ key: 'loras/x.safetensors' }] }]);
  t.is(contents.skipped, 1);
  t.is(await readFile(history.file, 'utf8'), before, 'the damaged line is left for the daemon to heal');
  t.deepEqual(await UsageHistory.readFile(path.join(stateDir, 'absent.ndjson')), { runs: [], saves: [], skipped: 0 });
});
