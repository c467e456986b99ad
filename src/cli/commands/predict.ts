import type { Command } from 'commander';
import { formatBytes } from '../../core/byte-size.js';
import { resolveWorkflow } from '../../core/resolve.js';
import type { ParsedWorkflow } from '../../core/workflow/index.js';
import { DaemonUnreachableError } from '../../control/control-client.js';
import type { PredictRef, ResolutionResult } from '../../control/results.js';
import { buildCatalog } from '../../library/build-catalog.js';
import { collectModelFolders } from '../../library/model-folders.js';
import type { CliCommand, CommandRun } from '../cli-command.js';
import { requestDaemon } from '../daemon-request.js';
import { formatTable, type Output } from '../output.js';
import { readWorkflowFile } from '../read-workflow.js';

interface PredictOptions {
  readonly library: string[];
}

type CatalogSource = 'library' | 'daemon' | null;

/** `--library DIR` builds a catalog here; otherwise a running daemon's catalog is asked; otherwise nothing resolves. */
async function resolveSomewhere(
  parsed: ParsedWorkflow,
  run: CommandRun<PredictOptions>,
): Promise<{ resolution: ResolutionResult | undefined; source: CatalogSource }> {
  const { library } = run.options;
  if (library.length > 0) {
    const collection = await collectModelFolders({ libraryRoots: library, exclude: [], env: run.io.platform.env });
    for (const line of [...collection.problems, ...collection.missing]) run.output.note(`warning: ${line}`);
    return { resolution: resolveWorkflow(parsed, await buildCatalog(collection.folders)), source: 'library' };
  }
  try {
    return { resolution: await requestDaemon<ResolutionResult>(run.socketPath, 'resolve', { workflow: parsed }), source: 'daemon' };
  } catch (error) {
    if (error instanceof DaemonUnreachableError) return { resolution: undefined, source: null };
    throw error;
  }
}

function where(ref: PredictRef, resolved: boolean): string {
  if (ref.path) return `${ref.path}${ref.bytes === undefined ? '' : ` (${formatBytes(ref.bytes)})`}`;
  return resolved ? 'NOT FOUND' : '-';
}

function render(file: string, parsed: ParsedWorkflow, resolution: ResolutionResult | undefined, source: CatalogSource, output: Output): void {
  const refs = resolution?.refs ?? parsed.refs;
  const inactive = resolution?.inactive ?? parsed.inactive;
  output.line(`${file}: ${parsed.format.toUpperCase()} workflow${parsed.container === 'json' ? '' : ` in a ${parsed.container.toUpperCase()}`}, ${refs.length} model references`);
  const rows = refs.map((ref) => [ref.category ?? '?', ref.name, `${ref.nodeId} ${ref.nodeType}`, where(ref, resolution !== undefined)]);
  if (rows.length > 0) for (const line of formatTable([['CATEGORY', 'NAME', 'NODE', 'FILE'], ...rows])) output.line(line);
  if (inactive.length > 0) {
    output.line(`muted or bypassed (not needed now): ${inactive.map((ref) => `${ref.category ?? '?'}/${ref.name}`).join(', ')}`);
  }
  for (const problem of resolution?.unresolved ?? []) output.line(`unresolved: ${problem.message}`);
  if (source === null) output.note('note: arenad is not running and no --library was given, so nothing was looked up');
  for (const warning of parsed.warnings) output.note(`warning: ${warning}`);
}

export const predictCommand: CliCommand<PredictOptions> = {
  path: ['predict'],
  description: 'List the models a workflow (UI or API JSON, PNG or WebP) needs, and where each file is.',
  arguments: '<file>',
  configure(command: Command) {
    command.option(
      '--library <dir>',
      'resolve against this library folder (laid out as <category>/<name>) instead of the daemon; repeatable',
      (value: string, previous: string[]) => [...previous, value],
      [],
    );
  },
  async run(run) {
    const file = run.args[0]!;
    const parsed = await readWorkflowFile(file);
    const { resolution, source } = await resolveSomewhere(parsed, run);
    if (run.output.json) {
      run.output.document({
        format: parsed.format,
        container: parsed.container,
        catalog: source,
        refs: resolution?.refs ?? parsed.refs,
        inactive: resolution?.inactive ?? parsed.inactive,
        unresolved: resolution?.unresolved ?? [],
        warnings: parsed.warnings,
      });
    } else {
      render(file, parsed, resolution, source, run.output);
    }
    return 0;
  },
};
