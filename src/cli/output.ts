import { ArenaError, messageOf } from '../core/arena-error.js';
import { DaemonUnreachableError } from '../control/control-client.js';
import { redactText } from '../log/redact.js';
import { EXIT, UsageError } from './cli-errors.js';
import type { TextSink } from './cli-io.js';

/**
 * All a command prints goes through here: one JSON document with --json, text
 * otherwise; errors on stderr (and as `{"error": ...}` with --json), mapped to
 * the exit codes of docs/protocol.md.
 */
export class Output {
  readonly #stdout: TextSink;
  readonly #stderr: TextSink;
  readonly json: boolean;

  constructor(stdout: TextSink, stderr: TextSink, json: boolean) {
    this.#stdout = stdout;
    this.#stderr = stderr;
    this.json = json;
  }

  get isTerminal(): boolean {
    return this.#stdout.isTTY === true && !this.json;
  }

  document(value: unknown): void {
    this.#stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  }

  line(text = ''): void {
    this.#stdout.write(`${text}\n`);
  }

  /** Progress and notes that are not the command's result: stderr, so --json stays clean. */
  note(text: string): void {
    this.#stderr.write(`${text}\n`);
  }

  /** Prints the error both ways and returns its exit code. */
  fail(error: unknown): number {
    const code = error instanceof ArenaError ? error.code : 'E_INTERNAL';
    const message = redactText(error instanceof ArenaError ? error.message : `internal error: ${messageOf(error)}`);
    this.#stderr.write(`arenactl: ${message}\n`);
    if (this.json) this.document({ error: { code, message } });
    if (error instanceof DaemonUnreachableError) return EXIT.unreachable;
    if (error instanceof UsageError) return EXIT.usage;
    return EXIT.failure;
  }
}

/** Left-aligned columns, for the human tables of ls, predict and config show. */
export function formatTable(rows: ReadonlyArray<readonly string[]>): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, index) => (widths[index] = Math.max(widths[index] ?? 0, cell.length)));
  return rows.map((row) =>
    row
      .map((cell, index) => (index === row.length - 1 ? cell : cell.padEnd(widths[index]!)))
      .join('  ')
      .trimEnd(),
  );
}
