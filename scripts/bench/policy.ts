/**
 * The policy benchmark: each generated trace (scripts/traces) replayed at
 * several capacities with arena, lru and belady, as `arenactl simulate`
 * does. Prints the table, and for a full run writes the chart
 * (docs/policy-chart.svg) and the table into docs/policy.md.
 *
 *   node --import tsx scripts/bench/policy.ts [--quick]     (or: npm run bench -- --only policy)
 *
 * Targets at 64 GB (issue 5): arena's byte hit ratio at least belady's and
 * at least lru's + 0.15, copying at most twice what lru copies.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { formatBytes } from '../../src/core/byte-size.js';
import { simulate, type PolicyName, type SimulationReport } from '../../src/core/simulate/index.js';
import { standardTraces } from '../traces/standard-traces.js';
import { policyChart, type ChartRow } from './policy-chart.js';
import { markdownTable, textTable, type BenchLog, type BenchReport, type SummaryRow } from './report.js';

export interface PolicyBenchOptions {
  readonly weeks: number;
  readonly capacitiesGb: readonly number[];
  /** Write docs/policy-chart.svg and the table in docs/policy.md. */
  readonly writeDocs: boolean;
}

export const POLICY_FULL: PolicyBenchOptions = { weeks: 6, capacitiesGb: [32, 64, 128], writeDocs: true };
export const POLICY_QUICK: PolicyBenchOptions = { weeks: 1, capacitiesGb: [32, 64], writeDocs: false };

const GB = 1e9;
const TARGET_GB = 64;
const POLICIES: readonly PolicyName[] = ['lru', 'belady', 'arena'];
/** Where the generated table goes in docs/policy.md. */
export const TABLE_START = '<!-- policy-bench:start -->';
export const TABLE_END = '<!-- policy-bench:end -->';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface PolicyRow {
  readonly trace: string;
  readonly capacityGb: number;
  /** A policy, or `arena, no saves`: arena on the trace without its save events (what prediction from history alone does). */
  readonly policy: string;
  readonly report: SimulationReport;
}

export async function runPolicyBench(options: PolicyBenchOptions, log: BenchLog): Promise<BenchReport> {
  const rows: PolicyRow[] = [];
  const traces = standardTraces(options.weeks);
  for (const { name, spec, trace } of traces) {
    const runs = trace.events.filter((event) => event.type === 'run');
    log(
      `${name}: ${spec.profile.description}; ${trace.sessions} sessions, ${runs.length} runs, ${trace.events.length - runs.length} saves over ${spec.weeks} weeks`,
    );
    for (const capacityGb of options.capacitiesGb) {
      for (const policy of POLICIES)
        rows.push({ trace: name, capacityGb, policy, report: simulate(trace.events, { policy, capacityBytes: capacityGb * GB }) });
      rows.push({ trace: name, capacityGb, policy: 'arena, no saves', report: simulate(runs, { policy: 'arena', capacityBytes: capacityGb * GB }) });
    }
  }
  const header = ['trace', 'capacity', 'policy', 'requests', 'hit ratio', 'byte hit ratio', 'bytes copied', 'copied / lru'];
  const table = tableRows(rows);
  for (const line of textTable(header, table)) log(`  ${line}`);

  const summary = targets(rows, options.capacitiesGb.includes(TARGET_GB) ? TARGET_GB : Math.max(...options.capacitiesGb));
  const markdown = markdownTable(header, table);
  const subtitle = `${traces.length} traces of ${options.weeks} weeks (scripts/traces), copies at 500 MB/s, 2 at a time`;
  if (options.writeDocs) {
    const chart = path.join(repoRoot, 'docs', 'policy-chart.svg');
    await writeFile(chart, policyChart(rows.filter((row) => (POLICIES as readonly string[]).includes(row.policy)).map(chartRow), POLICIES, subtitle));
    await writeTable(path.join(repoRoot, 'docs', 'policy.md'), [`Written by the policy benchmark: ${subtitle}.`, '', ...markdown]);
    log(`wrote docs/policy-chart.svg and the table in docs/policy.md`);
  }
  return {
    name: 'policy',
    title: 'Cache policy on generated traces',
    summary,
    details: [
      `Each generated trace (${traces.map((entry) => entry.name).join(', ')}; ${options.weeks} weeks, fixed seeds) replayed by \`arenactl simulate\`'s code at ${options.capacitiesGb.map((gb) => `${gb} GB`).join(', ')}. ` +
        '"arena, no saves" is arena on the same trace with its save events removed: what the history alone predicts. See docs/policy.md for the models behind the traces.',
      '',
      ...markdown,
    ],
  };
}

function chartRow(row: PolicyRow): ChartRow {
  return { trace: row.trace, capacityGb: row.capacityGb, policy: row.policy, hitRatio: row.report.hitRatio, byteHitRatio: row.report.byteHitRatio };
}

function find(rows: readonly PolicyRow[], trace: string, capacityGb: number, policy: string): SimulationReport {
  return rows.find((row) => row.trace === trace && row.capacityGb === capacityGb && row.policy === policy)!.report;
}

function tableRows(rows: readonly PolicyRow[]): string[][] {
  return rows.map((row) => {
    const lru = find(rows, row.trace, row.capacityGb, 'lru');
    return [
      row.trace,
      `${row.capacityGb} GB`,
      row.policy,
      String(row.report.requests),
      row.report.hitRatio.toFixed(3),
      row.report.byteHitRatio.toFixed(3),
      formatBytes(row.report.bytesCopied),
      lru.bytesCopied === 0 ? '-' : `${(row.report.bytesCopied / lru.bytesCopied).toFixed(2)}×`,
    ];
  });
}

/** The issue's targets, one summary row each per trace at the target capacity. */
function targets(rows: readonly PolicyRow[], capacityGb: number): SummaryRow[] {
  const summary: SummaryRow[] = [];
  for (const trace of [...new Set(rows.map((row) => row.trace))]) {
    const arena = find(rows, trace, capacityGb, 'arena');
    const belady = find(rows, trace, capacityGb, 'belady');
    const lru = find(rows, trace, capacityGb, 'lru');
    const floor = Math.max(belady.byteHitRatio, lru.byteHitRatio + 0.15);
    summary.push({
      metric: `${trace} ${capacityGb} GB: arena byte hit ratio`,
      value: arena.byteHitRatio.toFixed(3),
      target: `>= ${floor.toFixed(3)} (belady ${belady.byteHitRatio.toFixed(3)}, lru ${lru.byteHitRatio.toFixed(3)} + 0.15)`,
      met: arena.byteHitRatio >= floor,
    });
    const copied = lru.bytesCopied === 0 ? 0 : arena.bytesCopied / lru.bytesCopied;
    summary.push({
      metric: `${trace} ${capacityGb} GB: arena bytes copied / lru`,
      value: `${copied.toFixed(2)}×`,
      target: '<= 2×',
      met: copied <= 2,
    });
  }
  return summary;
}

/** Puts the table between the markers in docs/policy.md, leaving the rest of the text alone. */
export async function writeTable(file: string, lines: readonly string[]): Promise<void> {
  const text = await readFile(file, 'utf8');
  const start = text.indexOf(TABLE_START);
  const end = text.indexOf(TABLE_END);
  if (start < 0 || end < start) throw new Error(`${file} has no ${TABLE_START} … ${TABLE_END} section for the table`);
  await writeFile(file, `${text.slice(0, start + TABLE_START.length)}\n${lines.join('\n')}\n${text.slice(end)}`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const quick = process.argv.includes('--quick');
  runPolicyBench(quick ? POLICY_QUICK : POLICY_FULL, (line) => process.stdout.write(`${line}\n`)).then(
    (report) => {
      for (const row of report.summary) process.stdout.write(`${row.metric}: ${row.value} (target ${row.target}) ${row.met ? 'met' : 'MISSED'}\n`);
    },
    (error: unknown) => {
      process.stderr.write(`policy bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
