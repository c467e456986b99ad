import type { Command } from 'commander';
import type { CliCommand } from '../cli-command.js';
import { requestDaemon } from '../daemon-request.js';
import { targetArguments, viaDaemonOrHere } from './update-common.js';

interface RollbackOptions {
  readonly to?: string;
}

export const updateRollbackCommand: CliCommand<RollbackOptions> = {
  path: ['update', 'rollback'],
  description: 'Put a kept version of CATEGORY/NAME back in place (the newest kept, or --to VERSION), atomically. Works without a daemon.',
  arguments: '<target>',
  configure(command: Command) {
    command.option('--to <version>', 'a sha256 prefix, a Hugging Face commit or a CivitAI version id, as update history lists them');
  },
  async run(run) {
    const [target] = targetArguments(run.args);
    const to = run.options.to;
    const { result } = await viaDaemonOrHere(
      run,
      (socketPath) => requestDaemon(socketPath, 'update.rollback', { target: target!, ...(to === undefined ? {} : { to }) }),
      { lock: true, models: false },
      (service) => service.rollback(target!, to),
    );
    const rolled = result;
    if (run.output.json) run.output.document(rolled);
    else {
      run.output.line(`rolled back ${rolled.target}: ${rolled.from?.sha256.slice(0, 12) ?? '(none)'} -> ${rolled.to.sha256.slice(0, 12)}`);
      if (rolled.keptAs) run.output.line(`the replaced file is kept; automatic updates leave it alone until a newer version appears`);
      run.output.line(`to install it again now: arenactl update run ${rolled.target}`);
    }
    return 0;
  },
};
