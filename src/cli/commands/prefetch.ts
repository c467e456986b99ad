import { performance } from 'node:perf_hooks';
import type { Command } from 'commander';
import { formatBytes } from '../../core/byte-size.js';
import { ControlClient } from '../../control/control-client.js';
import type { PrefetchOutcome } from '../../control/contract/cache.js';
import type { CliCommand } from '../cli-command.js';
import { EXIT } from '../cli-errors.js';
import { FOLLOWED_TOPICS, followCopies, type Finished } from '../copy-follower.js';
import { EventInbox } from '../event-inbox.js';
import { formatTable, type Output } from '../output.js';
import { summarize, summaryLine } from '../prefetch-summary.js';
import { distinctModels, modelsOfTargets, readTargets, type ModelName, type TargetModels } from '../prefetch-targets.js';

interface PrefetchOptions {
  readonly wait?: boolean;
}

/** The daemon's request command takes an origin of at most this many characters. */
const MAX_ORIGIN = 1024;

/**
 * Outcomes the daemon acts on soon: `--wait` follows them to their end. A
 * file still being written is among them; a model that is not in the
 * library at all may take a day to arrive, or never: it is reported as
 * wanted, and not waited for.
 */
function followed(outcome: PrefetchOutcome): boolean {
  return outcome.status === 'queued' || outcome.status === 'copying' || (outcome.status === 'wanted' && outcome.reason === 'settling');
}

/**
 * A model named on the command line that the daemon cannot serve (not in the
 * library, not a valid name) is an error: the user asked for something that
 * is not there. The same from a workflow is only reported, as `predict` does.
 */
function refusals(outcomes: readonly PrefetchOutcome[], answers: readonly TargetModels[]): PrefetchOutcome[] {
  const named = new Set(answers.filter((answer) => answer.kind === 'model').flatMap((answer) => answer.keys));
  return outcomes.filter(
    (outcome) =>
      outcome.status === 'skipped' &&
      (outcome.reason === 'not-found' || outcome.reason === 'invalid-name') &&
      named.has(`${outcome.category}/${outcome.name}`),
  );
}

function renderOutcomes(outcomes: readonly PrefetchOutcome[], output: Output): void {
  const rows = outcomes.map((outcome) => [
    outcome.status,
    outcome.key ?? `${outcome.category}/${outcome.name}`,
    outcome.bytes === undefined ? '' : formatBytes(outcome.bytes),
    outcome.message ?? '',
  ]);
  for (const line of formatTable(rows)) output.line(line);
}

const HELP = `
A TARGET ending in .json, .png or .webp is a workflow file (ComfyUI's saved
JSON, or an image it wrote); its models are looked up in the daemon's
library. Anything else is CATEGORY/NAME, such as loras/style.safetensors.
Each model is asked for once, however many targets name it. A model the
daemon cannot copy yet (its file is still being written, or a workflow names
it and it has not arrived) is "wanted": it is copied as soon as it can be.
--wait waits for a file being written to settle and be copied; a model not
in the library at all may take a day to arrive, so it is not waited for.

With --json: {"targets": [{"target", "kind": "workflow"|"model", "keys",
"unresolved"}], "outcomes": [{"category", "name", "key", "status":
"queued"|"copying"|"cached"|"skipped"|"wanted", "bytes", "reason",
"message"}], "unresolved": [...]}; --wait adds "results" (one per followed
model, "status": "done"|"failed"|"dropped") and "summary" {"copied",
"bytes", "seconds", "bytesPerSecond", "alreadyCached", "failed", "dropped",
"skipped"}.

Exit status: 0 when every model is cached, queued or wanted; 1 when a
workflow file is missing or unreadable, a model named as CATEGORY/NAME is
not in the library, or (with --wait) a copy failed or was dropped.`;

export const prefetchCommand: CliCommand<PrefetchOptions> = {
  path: ['prefetch'],
  description: 'Copy the models of workflows (JSON, PNG or WebP) and models named as CATEGORY/NAME to the SSD now.',
  arguments: '<targets...>',
  configure(command: Command) {
    command.option('--wait', 'wait until every copy has finished, with progress, and end with a summary line').addHelpText('after', HELP);
  },
  async run({ args, options, output, socketPath }) {
    const targets = await readTargets(args);
    const client = await ControlClient.connect(socketPath);
    try {
      const inbox = new EventInbox();
      // Subscribe before asking, so that no event of these copies is missed.
      if (options.wait) await client.subscribe(FOLLOWED_TOPICS, (event) => inbox.receive(event));
      const answers = await modelsOfTargets(targets, client);
      const unresolved = answers.flatMap((answer) => answer.unresolved);
      // Each message is a whole sentence ("... is not in the library; add the file ..."): only the workflow is added.
      for (const answer of answers) for (const message of answer.unresolved) output.note(`${answer.target}: ${message}`);
      const { ofWorkflows, named } = distinctModels(answers);
      const started = performance.now();
      const origin = `arenactl prefetch ${args.join(' ')}`.slice(0, MAX_ORIGIN);
      const ask = async (models: readonly ModelName[], wantMissing: boolean): Promise<readonly PrefetchOutcome[]> =>
        models.length === 0 ? [] : (await client.request('prefetch', { models, priority: 'urgent', origin, wantMissing })).outcomes;
      // A workflow's model not in the library yet is wanted; one named on its own is an error when it is not there.
      const outcomes = [...(await ask(ofWorkflows, true)), ...(await ask(named, false))];
      const refused = refusals(outcomes, answers);
      if (!output.json)
        renderOutcomes(
          outcomes.filter((outcome) => !refused.includes(outcome)),
          output,
        );
      for (const outcome of refused) output.note(`arenactl: ${outcome.message ?? `${outcome.category}/${outcome.name} is not in the library`}`);

      const following = new Set(outcomes.filter(followed).map((outcome) => outcome.key ?? `${outcome.category}/${outcome.name}`));
      const results: Finished[] = options.wait && following.size > 0 ? await followCopies(following, client, inbox, output) : [];
      const summary = options.wait ? summarize(outcomes, results, (performance.now() - started) / 1000) : undefined;
      if (summary && !output.json) output.line(summaryLine(summary));

      const targetsShown = answers.map(({ target, kind, keys, unresolved: missing }) => ({ target, kind, keys, unresolved: missing }));
      const error = refused.length > 0 ? { code: 'E_NOT_FOUND', message: refused.map((outcome) => outcome.message).join('; ') } : undefined;
      if (output.json) {
        output.document({
          targets: targetsShown,
          outcomes,
          unresolved,
          ...(options.wait ? { results, summary } : {}),
          ...(error ? { error } : {}),
        });
      }
      return error || results.some((result) => result.status !== 'done') ? EXIT.failure : EXIT.ok;
    } finally {
      client.close();
    }
  },
};
