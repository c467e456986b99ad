/**
 * The socket commands of the updater (`update.check`, `update.run`, ...;
 * their arguments and results are in control/contract/update.ts). Thin: each
 * calls the service; model names are confined to the library (`..` and
 * absolute paths get E_PATH) before the service sees them.
 */
import { socketCommand, type CommandRegistry } from '../control/command-registry.js';
import { splitModelKey } from '../control/model-name.js';
import type { UpdateService } from './update-service.js';

function confined(keys: readonly string[]): string[] {
  return keys.map((key) => {
    const { category, name } = splitModelKey(key);
    return `${category}/${name}`;
  });
}

/** Registers the updater's commands; `service` throws E_STARTING until the updater runs. */
export function registerUpdateCommands(registry: CommandRegistry, service: () => UpdateService): CommandRegistry {
  return registry
    .add(socketCommand('update.check', ({ targets }) => service().check(confined(targets))))
    .add(socketCommand('update.run', ({ targets }) => service().run(confined(targets), 'manual')))
    .add(socketCommand('update.status', () => service().status()))
    .add(socketCommand('update.history', ({ target }) => service().history(target === undefined ? undefined : confined([target])[0])))
    .add(socketCommand('update.identify', ({ targets }) => service().identify(confined(targets))))
    .add(socketCommand('update.rollback', ({ target, to }) => service().rollback(confined([target])[0]!, to)));
}
