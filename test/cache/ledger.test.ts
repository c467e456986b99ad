import test from 'ava';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sinon from 'sinon';
import { z } from 'zod';
import { entryForCopy, ledgerEntrySchema, type LedgerEntry } from '../../src/cache/ledger-entry.js';
import { Ledger } from '../../src/cache/ledger.js';
import { PathError } from '../../src/cache/errors.js';
import { listDir, spyLogger, tempDir } from '../helpers/cache-fixtures.js';

/** The ledger file as written, read back with its entries checked as the ledger checks them on load. */
const writtenLedgerSchema = z.object({
  totals: z.object({ hits: z.number(), misses: z.number(), bytesCopied: z.number(), evictions: z.number() }),
  entries: z.array(ledgerEntrySchema),
});

async function readLedgerFile(file: string): Promise<z.infer<typeof writtenLedgerSchema>> {
  return writtenLedgerSchema.parse(JSON.parse(await readFile(file, 'utf8')));
}

function entry(overrides: Partial<LedgerEntry> = {}): LedgerEntry {
  return {
    category: 'checkpoints',
    name: 'sdxl/a.safetensors',
    size: 1234,
    sha256: 'ab'.repeat(32),
    sourcePath: '/nas/checkpoints/sdxl/a.safetensors',
    sourceSize: 1234,
    sourceMtimeMs: 1_700_000_000_000,
    cachedAt: 1_700_000_100_000,
    hits: 0,
    pinned: false,
    ...overrides,
  };
}

test('a missing ledger file loads as an empty ledger', async (t) => {
  const dir = await tempDir(t);
  const logger = spyLogger();
  const ledger = await Ledger.load(join(dir, 'state', 'ledger.json'), logger);
  t.is(ledger.size, 0);
  t.deepEqual(ledger.totals, { hits: 0, misses: 0, bytesCopied: 0, evictions: 0 });
  t.true(logger.info.calledOnce);
  t.true(logger.warn.notCalled);
});

test('entries, hits and totals survive a flush and a reload', async (t) => {
  const dir = await tempDir(t);
  const file = join(dir, 'state', 'ledger.json');
  const ledger = await Ledger.load(file, spyLogger(), { now: () => 42_000 });
  ledger.set(entry());
  ledger.set(entry({ category: 'clip', name: 't5\\xxl.safetensors', pinned: true }));
  ledger.recordHit('checkpoints/sdxl/a.safetensors');
  ledger.recordHit();
  ledger.recordMiss();
  ledger.addBytesCopied(1234);
  ledger.recordEviction();
  await ledger.close();

  const reloaded = await Ledger.load(file, spyLogger());
  t.deepEqual(reloaded.totals, { hits: 2, misses: 1, bytesCopied: 1234, evictions: 1 });
  t.deepEqual(reloaded.get('checkpoints/sdxl/a.safetensors'), entry({ hits: 1, lastUsed: 42_000 }));
  t.deepEqual(
    reloaded.get('text_encoders/t5/xxl.safetensors'),
    entry({ category: 'text_encoders', name: 't5/xxl.safetensors', pinned: true }),
    'an alias category and a backslash name are stored in canonical form',
  );
  t.is(reloaded.size, 2);
  t.true(reloaded.delete('checkpoints/sdxl/a.safetensors'));
  t.false(reloaded.delete('checkpoints/sdxl/a.safetensors'));
  t.deepEqual(
    reloaded.entries().map((item) => item.name),
    ['t5/xxl.safetensors'],
  );
});

test('an entry whose name leaves its folder is refused', async (t) => {
  const dir = await tempDir(t);
  const ledger = await Ledger.load(join(dir, 'ledger.json'), spyLogger());
  t.throws(() => ledger.set(entry({ name: '../x.safetensors' })), { instanceOf: PathError });
});

test('a corrupt ledger file gives an empty ledger, a warning, and is kept aside', async (t) => {
  const dir = await tempDir(t);
  const file = join(dir, 'ledger.json');
  await writeFile(file, '{"version": 1, "entries": [ {"categ');
  const logger = spyLogger();
  const ledger = await Ledger.load(file, logger, { now: () => 1_234 });
  t.is(ledger.size, 0);
  t.true(logger.warn.calledOnce);
  t.regex(String(logger.warn.firstCall.args[1]?.problem), /JSON/);
  t.deepEqual((await listDir(dir)).sort(), ['ledger.json.corrupt-1234']);
  t.is(await readFile(join(dir, 'ledger.json.corrupt-1234'), 'utf8'), '{"version": 1, "entries": [ {"categ');
  await ledger.close();
  t.deepEqual((await readLedgerFile(file)).entries, [], 'a clean ledger replaces it');
});

test('a ledger of another layout is treated as corrupt', async (t) => {
  const dir = await tempDir(t);
  const file = join(dir, 'ledger.json');
  await writeFile(file, JSON.stringify({ version: 99, entries: {} }));
  const logger = spyLogger();
  const ledger = await Ledger.load(file, logger, { now: () => 7 });
  t.is(ledger.size, 0);
  t.true(logger.warn.calledOnce);
  t.deepEqual(await listDir(dir), ['ledger.json.corrupt-7']);
});

test('invalid entries are dropped, valid ones and the totals are kept, and the file is kept aside', async (t) => {
  const dir = await tempDir(t);
  const file = join(dir, 'ledger.json');
  const good = entry();
  await writeFile(
    file,
    JSON.stringify({
      version: 1,
      totals: { hits: 5, misses: 2, bytesCopied: 10, evictions: 1 },
      entries: [
        good,
        { ...good, name: 'b.safetensors', size: -1 },
        { ...good, name: '../escape.safetensors' },
        { ...good, category: 'clip', name: 'not-canonical.safetensors' },
        { ...good, sha256: 'not-a-hash', name: 'c.safetensors' },
        good,
      ],
    }),
  );
  const logger = spyLogger();
  const ledger = await Ledger.load(file, logger, { now: () => 99 });
  t.deepEqual(ledger.entries(), [good]);
  t.deepEqual(ledger.totals, { hits: 5, misses: 2, bytesCopied: 10, evictions: 1 });
  t.regex(String(logger.warn.firstCall.args[1]?.problem), /5 invalid entries/);
  t.deepEqual(await listDir(dir), ['ledger.json.corrupt-99']);
});

// Fake timers are global to the process: these tests run serially, before the concurrent ones.
test.serial('changes are written within the flush delay, counted from the first change', async (t) => {
  const clock = sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
  t.teardown(() => clock.restore());
  const dir = await tempDir(t);
  const file = join(dir, 'ledger.json');
  const ledger = await Ledger.load(file, spyLogger(), { flushDelayMs: 1_000 });
  ledger.set(entry());
  await clock.tickAsync(600);
  ledger.recordHit('checkpoints/sdxl/a.safetensors');
  t.deepEqual(await listDir(dir), [], 'nothing written before the delay');
  await clock.tickAsync(400);
  await ledger.flush();
  const written = await readLedgerFile(file);
  t.is(written.entries[0]?.hits, 1);
  t.is(written.totals.hits, 1);
});

test('flushes never overlap and the last one writes the latest state', async (t) => {
  const dir = await tempDir(t);
  const file = join(dir, 'ledger.json');
  const ledger = await Ledger.load(file, spyLogger());
  const flushes: Array<Promise<void>> = [];
  for (let index = 0; index < 20; index += 1) {
    ledger.set(entry({ name: `m${index}.safetensors` }));
    flushes.push(ledger.flush());
  }
  await Promise.all(flushes);
  t.is((await readLedgerFile(file)).entries.length, 20);
  t.deepEqual(await listDir(dir), ['ledger.json'], 'no temporary file left behind');
  await ledger.close();
});

test.serial('a scheduled write that fails is logged, not thrown', async (t) => {
  const clock = sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
  t.teardown(() => clock.restore());
  const dir = await tempDir(t);
  const blocker = join(dir, 'not-a-folder');
  await writeFile(blocker, '');
  const logger = spyLogger();
  const ledger = await Ledger.load(join(blocker, 'ledger.json'), logger, { flushDelayMs: 10 });
  logger.warn.resetHistory();
  ledger.recordMiss();
  await clock.tickAsync(10);
  // This flush fails the same way and says so by rejecting; the warning of the scheduled write is what is under test.
  await ledger.flush().catch(() => undefined);
  t.true(logger.warn.calledOnce);
  t.is(logger.warn.firstCall.args[1]?.file, join(blocker, 'ledger.json'));
});

test('entryForCopy keeps the pin and usage of the entry it replaces', (t) => {
  const request = {
    source: '/nas/checkpoints/a.safetensors',
    expected: { size: 10, mtimeMs: 5 },
    category: 'checkpoints',
    name: 'a.safetensors',
    verify: 'sha256' as const,
  };
  const result = {
    key: 'checkpoints/a.safetensors',
    category: 'checkpoints',
    name: 'a.safetensors',
    path: '/cache/checkpoints/a.safetensors',
    size: 10,
    sha256: 'cd'.repeat(32),
    durationMs: 1,
  };
  t.deepEqual(entryForCopy(request, result, 100), {
    category: 'checkpoints',
    name: 'a.safetensors',
    size: 10,
    sha256: 'cd'.repeat(32),
    sourcePath: '/nas/checkpoints/a.safetensors',
    sourceSize: 10,
    sourceMtimeMs: 5,
    cachedAt: 100,
    hits: 0,
    pinned: false,
  });
  const previous = entry({ category: 'checkpoints', name: 'a.safetensors', hits: 7, pinned: true, lastUsed: 50 });
  const replaced = entryForCopy(request, result, 200, previous);
  t.is(replaced.hits, 7);
  t.true(replaced.pinned);
  t.is(replaced.lastUsed, 50);
  t.is(replaced.cachedAt, 200);
});
