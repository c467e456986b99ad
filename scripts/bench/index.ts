/**
 * `npm run bench`: runs the benchmarks, prints each one's figures and a
 * summary table, and writes the report (docs/benchmarks.md) with the machine
 * and the date.
 *
 *   npm run bench [-- --quick] [-- --only copy,socket] [-- --out FILE]
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseBenchArgs, BENCH_USAGE, type BenchName } from './args.js';
import { CATALOG_FULL, CATALOG_QUICK, runCatalogScan } from './catalog-scan.js';
import { COPY_FULL, COPY_QUICK, runCopyThroughput } from './copy-throughput.js';
import { describeMachine, loadAverage } from './machine.js';
import { renderReport, type BenchOutcome } from './render-report.js';
import { SUMMARY_HEADER, summaryRows, textTable, type BenchLog, type BenchReport } from './report.js';
import { SAVE_LATENCY_FULL, SAVE_LATENCY_QUICK, runSaveLatency } from './save-latency.js';
import { SOCKET_FULL, SOCKET_QUICK, runSocketRoundTrip } from './socket-round-trip.js';
import { POLICY_FULL, POLICY_QUICK, runPolicyBench } from './policy.js';
import { RESOLVE_FULL, RESOLVE_QUICK, runWorkflowResolve } from './workflow-resolve.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

const BENCHES: ReadonlyArray<{ name: BenchName; title: string; run: (quick: boolean, log: BenchLog) => Promise<BenchReport> }> = [
  { name: 'copy', title: 'Copy throughput', run: (quick, log) => runCopyThroughput(quick ? COPY_QUICK : COPY_FULL, log) },
  { name: 'save-latency', title: 'Save → first byte', run: (quick, log) => runSaveLatency(quick ? SAVE_LATENCY_QUICK : SAVE_LATENCY_FULL, log) },
  { name: 'scan', title: 'Catalog scan and idle RSS', run: (quick, log) => runCatalogScan(quick ? CATALOG_QUICK : CATALOG_FULL, log) },
  {
    name: 'resolve',
    title: 'Parse and resolve a 5 MB workflow',
    run: (quick, log) => Promise.resolve(runWorkflowResolve(quick ? RESOLVE_QUICK : RESOLVE_FULL, log)),
  },
  { name: 'socket', title: 'Socket round trip', run: (quick, log) => runSocketRoundTrip(quick ? SOCKET_QUICK : SOCKET_FULL, log) },
  { name: 'policy', title: 'Cache policy on generated traces', run: (quick, log) => runPolicyBench(quick ? POLICY_QUICK : POLICY_FULL, log) },
];

async function main(argv: readonly string[]): Promise<number> {
  const args = parseBenchArgs(argv);
  if (args.kind === 'help') {
    process.stdout.write(BENCH_USAGE);
    return 0;
  }
  if (args.kind === 'usage-error') {
    process.stderr.write(`bench: ${args.message}\n\n${BENCH_USAGE}`);
    return 2;
  }
  const log: BenchLog = (line) => process.stdout.write(`${line}\n`);
  const selected = BENCHES.filter((bench) => args.only === undefined || args.only.includes(bench.name));
  const machine = await describeMachine();
  const startedAt = new Date();
  const loadBefore = loadAverage();
  log(
    `arena bench: ${args.quick ? 'QUICK run (smaller sizes, fewer rounds; figures are indicative only)' : 'full run'}, ${selected.map((bench) => bench.name).join(', ')}`,
  );
  log(
    `machine: ${machine.cpu}, ${machine.cores} cores, ${(machine.ramBytes / 1024 ** 3).toFixed(1)} GiB RAM, ${machine.kernel}, Node ${machine.node}`,
  );
  log(`temp dir ${machine.tempDir}: ${machine.tempFileSystem}; load average (1/5/15 min) ${loadBefore}`);
  for (const note of machine.notes) log(`note: ${note}`);

  const outcomes: BenchOutcome[] = [];
  for (const bench of selected) {
    log(`\n== ${bench.title} (${bench.name})`);
    const started = performance.now();
    try {
      const report = await bench.run(args.quick, log);
      outcomes.push({ report, seconds: (performance.now() - started) / 1000 });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      log(`  FAILED: ${message}`);
      outcomes.push({ failed: { name: bench.name, title: bench.title, message }, seconds: (performance.now() - started) / 1000 });
    }
  }

  const reports = outcomes.flatMap((outcome) => (outcome.report ? [outcome.report] : []));
  const failures = outcomes.flatMap((outcome) => (outcome.failed ? [outcome.failed] : []));
  log('\n== Summary');
  for (const line of textTable(SUMMARY_HEADER, [
    ...summaryRows(reports),
    ...failures.map((failure) => [failure.title, 'FAILED', failure.message.split('\n')[0]!, '', '']),
  ])) {
    log(line);
  }
  const out = path.resolve(repoRoot, args.out);
  await mkdir(path.dirname(out), { recursive: true });
  await writeFile(out, renderReport({ machine, startedAt, quick: args.quick, only: args.only, loadBefore, loadAfter: loadAverage(), outcomes }));
  log(`\nwrote ${path.relative(process.cwd(), out) || out}`);
  return failures.length > 0 ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  },
);
