import { cacheRootMessage, inspectCacheRoot } from '../../config/cache-root.js';
import { ConfigError } from '../../config/errors.js';
import { loadConfig, type LoadedConfig } from '../../config/load-config.js';
import type { CliCommand } from '../cli-command.js';
import { EXIT } from '../cli-errors.js';
import type { Output } from '../output.js';

/** Everything that would stop the daemon or leave it degraded from the start: values, and a cache root it cannot use. */
async function problemsOf(loaded: LoadedConfig): Promise<string[]> {
  const root = loaded.config.cache.root;
  const reason = await inspectCacheRoot(root);
  return reason === undefined ? [] : [cacheRootMessage(root, loaded.sources.get('cache.root') ?? { kind: 'default' }, reason)];
}

function reportProblems(output: Output, problems: readonly string[], message: string): number {
  for (const problem of problems) output.note(`arenactl: ${problem}`);
  if (output.json) output.document({ ok: false, problems, error: { code: 'E_CONFIG', message } });
  return EXIT.failure;
}

export const configCheckCommand: CliCommand = {
  path: ['config', 'check'],
  description: 'Validate the configuration (FILE, or the one the daemon would use) and its cache root, without starting anything.',
  arguments: '[file]',
  async run({ args, output, io }) {
    const file = args[0];
    let loaded: LoadedConfig;
    try {
      loaded = loadConfig({ platform: io.platform, ...(file === undefined ? {} : { configFile: file }) });
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      return reportProblems(
        output,
        error.problems.map((problem) => problem.message),
        error.message,
      );
    }
    const problems = await problemsOf(loaded);
    if (problems.length > 0) return reportProblems(output, problems, problems.join('\n'));
    const warnings = loaded.warnings.map((warning) => warning.message);
    if (output.json) {
      output.document({ ok: true, configFile: loaded.configFile ?? null, envFile: loaded.envFile ?? null, problems: [], warnings });
    } else {
      output.line(`configuration OK${loaded.configFile ? `: ${loaded.configFile}` : ' (no config file; defaults and environment only)'}`);
      for (const warning of warnings) output.line(`warning: ${warning}`);
    }
    return EXIT.ok;
  },
};
