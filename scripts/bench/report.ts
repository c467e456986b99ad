/** What a benchmark hands back: rows for the summary table and a markdown section of its own. */

export interface SummaryRow {
  readonly metric: string;
  readonly value: string;
  /** The goal, as written in the issue (`>= 0.8`, `< 250 ms`); absent for reference figures. */
  readonly target?: string;
  /** Whether the value meets the target; absent when there is no target or no value. */
  readonly met?: boolean;
}

export interface BenchReport {
  readonly name: string;
  readonly title: string;
  readonly summary: readonly SummaryRow[];
  /** Markdown: how it was measured, the page-cache state, and the detailed figures. */
  readonly details: readonly string[];
}

/** Prints progress and figures as a benchmark goes; the smoke test passes a quiet one. */
export type BenchLog = (line: string) => void;

export function verdict(row: SummaryRow): string {
  if (row.met === undefined) return '';
  return row.met ? 'met' : 'MISSED';
}

/** A GitHub-flavoured markdown table. */
export function markdownTable(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string[] {
  const line = (cells: readonly string[]) => `| ${cells.map((cell) => cell.replace(/\|/g, '\\|')).join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)];
}

/** A plain-text table with aligned columns, for the console. */
export function textTable(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string[] {
  const all = [header, ...rows];
  const widths = header.map((_, column) => Math.max(...all.map((row) => (row[column] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column]!))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)];
}

export function summaryRows(reports: readonly BenchReport[]): string[][] {
  return reports.flatMap((report) => report.summary.map((row) => [report.title, row.metric, row.value, row.target ?? '', verdict(row)]));
}

export const SUMMARY_HEADER = ['benchmark', 'metric', 'value', 'target', ''] as const;
