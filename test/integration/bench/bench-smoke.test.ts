/**
 * The benchmarks never run in CI; this proves their code still works, each
 * at a tiny size. No figure is checked against a target: timing belongs to
 * `npm run bench`, not to tests.
 */
import test, { type ExecutionContext } from 'ava';
import { BENCH_NAMES, parseBenchArgs } from '../../../scripts/bench/args.js';
import { runCatalogScan } from '../../../scripts/bench/catalog-scan.js';
import { runCopyThroughput } from '../../../scripts/bench/copy-throughput.js';
import { generateWorkflow } from '../../../scripts/bench/generate-workflow.js';
import { libraryLayout } from '../../../scripts/bench/library-layout.js';
import { describeMachine } from '../../../scripts/bench/machine.js';
import { renderReport } from '../../../scripts/bench/render-report.js';
import type { BenchReport } from '../../../scripts/bench/report.js';
import { runSaveLatency } from '../../../scripts/bench/save-latency.js';
import { runSocketRoundTrip } from '../../../scripts/bench/socket-round-trip.js';
import { percentile } from '../../../scripts/bench/stats.js';
import { runWorkflowResolve } from '../../../scripts/bench/workflow-resolve.js';
import { parseWorkflowBytes } from '../../../src/core/workflow/index.js';

const MiB = 1024 * 1024;

/** A report with figures in every summary row and a markdown table in its details. */
function assertWellFormed(t: ExecutionContext, report: BenchReport): void {
  t.true(report.summary.length > 0, `${report.name} has summary rows`);
  for (const row of report.summary) t.notRegex(row.value, /n\/a|NaN|not seen|undefined/, `${report.name}: ${row.metric}`);
  t.true(
    report.details.some((line) => line.startsWith('| ---')),
    `${report.name} details hold a table`,
  );
}

test('the command line: --quick, --only with known names, --out, and usage errors', (t) => {
  t.deepEqual(parseBenchArgs([]), { kind: 'run', quick: false, out: 'docs/benchmarks.md' });
  t.deepEqual(parseBenchArgs(['--quick', '--only', 'copy,socket', '--only=copy', '--out', 'x.md']), {
    kind: 'run',
    quick: true,
    only: ['copy', 'socket'],
    out: 'x.md',
  });
  t.like(parseBenchArgs(['--only', 'nope']), { kind: 'usage-error' });
  t.like(parseBenchArgs(['--only']), { kind: 'usage-error' });
  t.like(parseBenchArgs(['--fast']), { kind: 'usage-error' });
  t.deepEqual(parseBenchArgs(['--help']), { kind: 'help' });
  t.deepEqual([...BENCH_NAMES], ['copy', 'save-latency', 'scan', 'resolve', 'socket', 'policy']);
});

test('percentiles interpolate between ranks', (t) => {
  t.is(percentile([4, 1, 3, 2], 50), 2.5);
  t.is(percentile([10, 20], 95), 19.5);
  t.is(percentile([7], 99), 7);
  t.true(Number.isNaN(percentile([], 50)));
});

test('the generated library and workflow are deterministic, and the workflow parses with its loaders and subgraphs', (t) => {
  const library = libraryLayout(400);
  t.is(library.length, 400);
  t.deepEqual(libraryLayout(400), library);
  t.is(new Set(library.map((model) => `${model.category}/${model.name}`)).size, 400, 'names are unique');
  const json = generateWorkflow(300_000, library);
  t.true(json.length >= 300_000);
  t.is(generateWorkflow(300_000, library), json);
  const parsed = parseWorkflowBytes(Buffer.from(json));
  t.is(parsed.format, 'ui');
  const types = new Set(parsed.refs.map((ref) => ref.nodeType));
  for (const type of ['CheckpointLoaderSimple', 'LoraLoader', 'UNETLoader', 'DualCLIPLoader']) t.true(types.has(type), type);
  t.true(parsed.refs.some((ref) => ref.via === 'embedding'));
  t.true(parsed.inactive.length > 0, 'muted and bypassed nodes are there');
});

test.serial('workflow resolve runs at a tiny size', (t) => {
  const report = runWorkflowResolve({ workflowBytes: 200_000, catalogModels: 500, runs: 3, warmupRuns: 1 }, t.log);
  t.is(report.name, 'resolve');
  assertWellFormed(t, report);
});

test.serial('copy throughput runs at a tiny size: cp and the copier, hot and cold', async (t) => {
  const report = await runCopyThroughput({ fileBytes: 4 * MiB, rounds: 1, warmupRounds: 0 }, t.log);
  t.is(report.name, 'copy');
  assertWellFormed(t, report);
  for (const label of ['hot cp', 'cold cp', 'hot copier', 'cold copier', 'hot cp+sync', 'hot copier, page cache', 'cold copyFile+hash']) {
    t.true(
      report.details.some((line) => line.startsWith(`| ${label} |`)),
      label,
    );
  }
});

test.serial('catalog scan runs at a tiny size, without a daemon', async (t) => {
  const report = await runCatalogScan({ sizes: [300], scanRuns: 1, runtimes: [], settleMs: 0, rssSamples: 0 }, t.log);
  t.is(report.name, 'scan');
  assertWellFormed(t, report);
});

test.serial('catalog scan samples the memory of a real daemon, compiled to JavaScript and from source', async (t) => {
  const report = await runCatalogScan({ sizes: [200], scanRuns: 1, runtimes: ['compiled', 'tsx'], settleMs: 200, rssSamples: 1 }, t.log);
  t.true(report.summary.some((row) => /idle RSS .*compiled JS/.test(row.metric) && /MiB$/.test(row.value)));
  t.true(report.details.some((line) => line.startsWith('| 200 | compiled JS')));
  t.true(report.details.some((line) => line.startsWith('| 200 | source via tsx')));
});

test.serial('socket round trip runs against a real daemon', async (t) => {
  const report = await runSocketRoundTrip({ clients: 2, requests: 5, warmupRequests: 1 }, t.log);
  t.is(report.name, 'socket');
  assertWellFormed(t, report);
});

test.serial('save latency sees a workflow saved as ComfyUI does reach the staging folder', async (t) => {
  const report = await runSaveLatency({ runs: 2, warmupRuns: 0, modelBytes: 2 * MiB }, t.log);
  t.is(report.name, 'save-latency');
  assertWellFormed(t, report);
});

test('the report names the machine, the kind of run and every benchmark', async (t) => {
  const machine = await describeMachine();
  const report: BenchReport = { name: 'socket', title: 'Socket round trip', summary: [{ metric: 'm', value: '1 ms' }], details: ['details here'] };
  const markdown = renderReport({
    machine,
    startedAt: new Date('2025-01-02T03:04:05Z'),
    quick: true,
    only: ['socket', 'copy'],
    loadBefore: '0.10 / 0.20 / 0.30',
    loadAfter: '0.40 / 0.50 / 0.60',
    outcomes: [
      { report, seconds: 3 },
      { failed: { name: 'copy', title: 'Copy throughput', message: 'cp: not found' }, seconds: 1 },
    ],
  });
  t.regex(markdown, /2025-01-02T03:04:05Z/);
  t.regex(markdown, /quick run/);
  t.true(markdown.includes(machine.cpu));
  t.true(markdown.includes(machine.node));
  t.regex(markdown, /## 1\. Socket round trip\n\ndetails here/);
  t.regex(markdown, /## 2\. Copy throughput\n\nThe benchmark failed/);
  t.regex(markdown, /\| Copy throughput \| FAILED \| cp: not found/);
});
