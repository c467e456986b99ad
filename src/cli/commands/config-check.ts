import { ConfigError } from '../../config/config-error.js';
import { loadConfig } from '../../config/load-config.js';
import type { CliCommand } from '../cli-command.js';
import { EXIT } from '../cli-errors.js';

export const configCheckCommand: CliCommand = {
  path: ['config', 'check'],
  description: 'Validate the configuration (FILE, or the one the daemon would use) without starting anything.',
  arguments: '[file]',
  async run({ args, output, io }) {
    const file = args[0];
    try {
      const loaded = loadConfig({ platform: io.platform, unknownKeys: 'error', ...(file === undefined ? {} : { configFile: file }) });
      const warnings = loaded.warnings.map((warning) => warning.message);
      if (output.json) {
        output.document({ ok: true, configFile: loaded.configFile ?? null, envFile: loaded.envFile ?? null, problems: [], warnings });
      } else {
        output.line(`configuration OK${loaded.configFile ? `: ${loaded.configFile}` : ' (no config file; defaults and environment only)'}`);
        for (const warning of warnings) output.line(`warning: ${warning}`);
      }
      return EXIT.ok;
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      const problems = error.problems.map((problem) => problem.message);
      for (const problem of problems) output.note(`arenactl: ${problem}`);
      if (output.json) output.document({ ok: false, problems, error: { code: error.code, message: error.message } });
      return EXIT.failure;
    }
  },
};
