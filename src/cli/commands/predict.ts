import type { Command } from 'commander';
import { formatBytes } from '../../core/byte-size.js';
import { resolveWorkflow } from '../../core/resolve.js';
import type { ParsedWorkflow } from '../../core/workflow/index.js';
import { DaemonUnreachableError } from '../../control/control-client.js';
import type { PredictRef, ResolutionResult } from '../../control/contract/library.js';
import type { CliCommand, CommandRun } from '../cli-command.js';
import { EXIT } from '../cli-errors.js';
import { requestDaemon } from '../daemon-request.js';
import { catalogOfRoots, configuredCatalog } from '../local-catalog.js';
import { formatTable, type Output } from '../output.js';
import { readWorkflowFile } from '../read-workflow.js';
import { counted } from '../wording.js';

interface PredictOptions {
  readonly library: string[];
}

/** Where the references were looked up: `--library` folders, the running daemon, the configured library scanned here, or nowhere. */
type CatalogSource = 'library' | 'daemon' | 'config' | null;

interface Lookup {
  readonly resolution: ResolutionResult | undefined;
  readonly source: CatalogSource;
  /** Why nothing was looked up, when nothing was. */
  readonly nowhere?: string;
}

/** `--library DIR` wins; then a running daemon's catalog; then the library the configuration names, scanned here. */
async function resolveSomewhere(parsed: ParsedWorkflow, run: CommandRun<PredictOptions>): Promise<Lookup> {
  const { library } = run.options;
  if (library.length > 0) {
    const local = await catalogOfRoots(library, run.io);
    for (const line of local.warnings) run.output.note(`warning: ${line}`);
    return { resolution: resolveWorkflow(parsed, local.catalog), source: 'library' };
  }
  try {
    return { resolution: await requestDaemon(run.socketPath, 'resolve', { workflow: parsed }), source: 'daemon' };
  } catch (error) {
    if (!(error instanceof DaemonUnreachableError)) throw error;
  }
  const local = await configuredCatalog(run.io);
  if (local.catalog === undefined) return { resolution: undefined, source: null, nowhere: local.reason };
  for (const line of local.warnings) run.output.note(`warning: ${line}`);
  return { resolution: resolveWorkflow(parsed, local.catalog), source: 'config' };
}

/**
 * True when an active reference names a file the library lacks (exit 4). A
 * name found in several categories is not missing: ComfyUI's node knows its
 * own category and finds the file.
 */
function missesModels(resolution: ResolutionResult | undefined): boolean {
  return (resolution?.unresolved ?? []).some((ref) => ref.reason !== 'ambiguous-category');
}

function where(ref: PredictRef, resolved: boolean): string {
  if (ref.path) return `${ref.path}${ref.bytes === undefined ? '' : ` (${formatBytes(ref.bytes)})`}`;
  return resolved ? 'NOT FOUND' : '-';
}

function render(file: string, parsed: ParsedWorkflow, lookup: Lookup, output: Output): void {
  const { resolution } = lookup;
  const refs = resolution?.refs ?? parsed.refs;
  const inactive = resolution?.inactive ?? parsed.inactive;
  const container = parsed.container === 'json' ? '' : ` in a ${parsed.container.toUpperCase()}`;
  const from = lookup.source === 'config' ? ' (looked up in the library the configuration names: arenad is not running)' : '';
  output.line(`${file}: ${parsed.format.toUpperCase()} workflow${container}, ${counted(refs.length, 'model reference')}${from}`);
  const rows = refs.map((ref) => [ref.category ?? '?', ref.name, `${ref.nodeId} ${ref.nodeType}`, where(ref, resolution !== undefined)]);
  if (rows.length > 0) for (const line of formatTable([['CATEGORY', 'NAME', 'NODE', 'FILE'], ...rows])) output.line(line);
  if (inactive.length > 0) {
    output.line(`muted or bypassed (not needed now): ${inactive.map((ref) => `${ref.category ?? '?'}/${ref.name}`).join(', ')}`);
  }
  for (const problem of resolution?.unresolved ?? []) output.line(`unresolved: ${problem.message}`);
  if (lookup.nowhere !== undefined)
    output.note(`note: arenad is not running, no --library was given and ${lookup.nowhere}, so nothing was looked up`);
  for (const warning of parsed.warnings) output.note(`warning: ${warning}`);
}

const HELP = `
Where the references are looked up: the --library folders when given, else
the running daemon's library, else the library the configuration names
(comfy.root's models/ and extra_model_paths.yaml, library.roots), scanned now.

Exit status: 0 when every active reference was found, or when nothing was
looked up; 4 when an active reference is not in the library it was looked up
in (each is listed as "unresolved"); 1 when the file cannot be read or is not
a workflow.`;

export const predictCommand: CliCommand<PredictOptions> = {
  path: ['predict'],
  description: 'List the models a workflow (UI or API JSON, PNG or WebP) needs, and where each file is.',
  arguments: '<file>',
  configure(command: Command) {
    command
      .option(
        '--library <dir>',
        'resolve against this library folder (laid out as <category>/<name>) instead of the daemon; repeatable',
        (value: string, previous: string[]) => [...previous, value],
        [],
      )
      .addHelpText('after', HELP);
  },
  async run(run) {
    const file = run.args[0]!;
    const parsed = await readWorkflowFile(file);
    const lookup = await resolveSomewhere(parsed, run);
    const { resolution } = lookup;
    if (run.output.json) {
      run.output.document({
        format: parsed.format,
        container: parsed.container,
        catalog: lookup.source,
        refs: resolution?.refs ?? parsed.refs,
        inactive: resolution?.inactive ?? parsed.inactive,
        unresolved: resolution?.unresolved ?? [],
        warnings: parsed.warnings,
      });
    } else {
      render(file, parsed, lookup, run.output);
    }
    return missesModels(resolution) ? EXIT.missingModels : EXIT.ok;
  },
};
