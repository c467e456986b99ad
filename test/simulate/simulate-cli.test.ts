import fs from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { parseTrace, formatTrace } from '../../src/core/simulate/trace.js';
import { simulate } from '../../src/core/simulate/simulate.js';
import { generateTrace } from '../../scripts/traces/generate-trace.js';
import { profileNamed } from '../../scripts/traces/user-profiles.js';
import { arenactl } from '../helpers/cli-run.js';
import { tempDir } from '../helpers/temp-dir.js';

const FIXTURES = path.join(import.meta.dirname, '..', 'fixtures', 'traces');

test('simulate --json prints the fields docs/protocol.md gives, the same numbers as the replay itself, for each policy', async (t) => {
  const home = await tempDir(t);
  const file = path.join(home, 'week.ndjson');
  const trace = generateTrace({ profile: profileNamed('mixed')!, seed: 3, weeks: 1 });
  fs.writeFileSync(file, formatTrace(trace.events));
  for (const policy of ['arena', 'lru', 'belady'] as const) {
    const result = await arenactl(['simulate', '--trace', file, '--capacity', '32GB', '--policy', policy, '--bandwidth', '400MB/s', '--json'], home);
    t.is(result.code, 0, result.stderr);
    t.is(result.stderr, '');
    const report = result.json<Record<string, unknown>>();
    for (const field of ['policy', 'requests', 'hits', 'hitRatio', 'byteHitRatio', 'bytesCopied']) t.true(field in report, field);
    t.deepEqual(
      report,
      JSON.parse(JSON.stringify(simulate(parseTrace(formatTrace(trace.events)), { policy, capacityBytes: 32e9, bandwidthBytesPerSecond: 400e6 }))),
    );
  }
});

test('the hand-made fixture replays with the answer worked out in its README', async (t) => {
  const home = await tempDir(t);
  const result = await arenactl(
    ['simulate', '--trace', path.join(FIXTURES, 'abcadbeabc.ndjson'), '--capacity', '3GB', '--policy', 'belady', '--json'],
    home,
  );
  t.like(result.json(), { policy: 'belady', requests: 10, hits: 4, bytesCopied: 6e9 });
  const text = await arenactl(['simulate', '--trace', path.join(FIXTURES, 'abcadbeabc.ndjson'), '--capacity', '3GB', '--policy', 'lru'], home);
  t.is(text.code, 0);
  t.regex(text.stdout, /^lru at 3\.0 GB\n/);
  t.regex(text.stdout, /hits +2 \(20\.0%\)/);
});

test('usage mistakes exit 2, a bad trace exits 1 naming its line, never a stack trace', async (t) => {
  const home = await tempDir(t);
  const file = path.join(home, 'bad.ndjson');
  fs.writeFileSync(file, `${JSON.stringify({ t: 0, type: 'run', workflow: 'w', models: [] })}\n{"t": 1, "type": "run"}\n`);
  const cases: Array<[string[], number, RegExp]> = [
    [['--capacity', '64GB', '--policy', 'lru'], 2, /--trace is required/],
    [['--trace', file, '--policy', 'lru'], 2, /--capacity is required/],
    [['--trace', file, '--capacity', 'lots', '--policy', 'lru'], 2, /--capacity lots: expected a size above 0/],
    [['--trace', file, '--capacity', '64GB', '--policy', 'fifo'], 2, /--policy fifo: expected one of arena, lru, belady/],
    [
      ['--trace', file, '--capacity', '64GB', '--policy', 'arena', '--bandwidth', 'fast'],
      2,
      /--bandwidth fast: expected a size above 0 such as 500MB\/s/,
    ],
    [['--trace', file, '--capacity', '64GB', '--policy', 'arena', '--concurrency', '0'], 2, /--concurrency 0: expected a whole number/],
    [['--trace', file, '--capacity', '64GB', '--policy', 'lru'], 1, /bad\.ndjson line 2: workflow: Required; models: Required/],
    [['--trace', path.join(home, 'absent.ndjson'), '--capacity', '64GB', '--policy', 'lru'], 1, /cannot read the trace .*absent\.ndjson: ENOENT/],
  ];
  for (const [args, code, message] of cases) {
    const result = await arenactl(['simulate', ...args, '--json'], home);
    t.is(result.code, code, args.join(' '));
    const { error } = result.json<{ error: { code: string; message: string } }>();
    t.regex(error.message, message);
    t.notRegex(result.stderr, /\n\s+at /, 'no stack trace');
  }
});
