/** The markdown report a run writes (docs/benchmarks.md). */
import type { BenchName } from './args.js';
import type { MachineInfo } from './machine.js';
import { markdownTable, summaryRows, SUMMARY_HEADER, type BenchReport } from './report.js';

export interface BenchOutcome {
  readonly report?: BenchReport;
  readonly failed?: { readonly name: string; readonly title: string; readonly message: string };
  readonly seconds: number;
}

export interface RunRecord {
  readonly machine: MachineInfo;
  readonly startedAt: Date;
  readonly quick: boolean;
  readonly only?: readonly BenchName[] | undefined;
  readonly loadBefore: string;
  readonly loadAfter: string;
  readonly outcomes: readonly BenchOutcome[];
}

export function renderReport(run: RunRecord): string {
  const { machine } = run;
  const reports = run.outcomes.flatMap((outcome) => (outcome.report ? [outcome.report] : []));
  const failures = run.outcomes.flatMap((outcome) => (outcome.failed ? [outcome.failed] : []));
  const totalSeconds = run.outcomes.reduce((sum, outcome) => sum + outcome.seconds, 0);
  const kind = run.quick ? '**quick run** (`--quick`: smaller sizes, fewer rounds; the figures are indicative only)' : 'full run';
  const lines = [
    '# Benchmarks',
    '',
    `Written by \`npm run bench\` on ${run.startedAt.toISOString().replace(/\.\d+Z$/, 'Z')}, a ${kind}` +
      `${run.only ? `, of ${run.only.join(', ')} only` : ''}, in ${Math.round(totalSeconds)} s. ` +
      'Run it again to measure your own machine; `npm run bench -- --help` lists the options.',
    '',
    '## Machine',
    '',
    ...markdownTable(
      ['', ''],
      [
        ['CPU', `${machine.cpu}, ${machine.cores} cores`],
        ['RAM', `${(machine.ramBytes / 1024 ** 3).toFixed(1)} GiB`],
        ['kernel', machine.kernel],
        ['Node', machine.node],
        ['temp dir', `${machine.tempDir}: ${machine.tempFileSystem}`],
        ['load average (1/5/15 min) before / after', `${run.loadBefore} — ${run.loadAfter}`],
        ...machine.notes.map((note) => ['note', note]),
      ],
    ),
    '',
    'Other work on the machine while the benchmarks run shows in every figure; the load average above says how busy it was.',
    '',
    '## Summary',
    '',
    ...markdownTable(SUMMARY_HEADER, [
      ...summaryRows(reports),
      ...failures.map((failure) => [failure.title, 'FAILED', failure.message.split('\n')[0]!, '', '']),
    ]),
    '',
  ];
  run.outcomes.forEach((outcome, index) => {
    const title = outcome.report?.title ?? outcome.failed!.title;
    lines.push(`## ${index + 1}. ${title}`, '');
    if (outcome.report) lines.push(...outcome.report.details);
    else lines.push('The benchmark failed:', '', '```', outcome.failed!.message, '```');
    lines.push('', `(${Math.round(outcome.seconds)} s)`, '');
  });
  return `${lines.join('\n').trimEnd()}\n`;
}
