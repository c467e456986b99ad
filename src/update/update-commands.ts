/**
 * The socket commands of the updater (`update.check`, `update.run`, ...).
 * Thin: each checks its arguments and calls the service; model names are
 * confined to the library (`..` and absolute paths get E_PATH) before the
 * service sees them.
 */
import { z } from 'zod';
import type { CommandRegistry } from '../control/command-registry.js';
import { modelKeySchema, splitModelKey } from '../control/model-name.js';
import type { UpdateService } from './update-service.js';

const targets = z.array(modelKeySchema).max(10_000).default([]);

function confined(keys: readonly string[]): string[] {
  return keys.map((key) => {
    const { category, name } = splitModelKey(key);
    return `${category}/${name}`;
  });
}

/** Registers the updater's commands; `service` throws E_STARTING until the updater runs. */
export function registerUpdateCommands(registry: CommandRegistry, service: () => UpdateService): CommandRegistry {
  return registry
    .add({
      name: 'update.check',
      summary: 'Compare each tracked model (or the named ones) with its hub: up-to-date, available (with its size) or error.',
      args: z.object({ targets }).strict(),
      run: ({ targets: keys }) => service().check(confined(keys)),
    })
    .add({
      name: 'update.run',
      summary: 'Download, verify and install available updates now, whatever the update windows say.',
      args: z.object({ targets }).strict(),
      run: ({ targets: keys }) => service().run(confined(keys), 'manual'),
    })
    .add({
      name: 'update.status',
      summary: 'The update windows, pending updates and the progress of each download.',
      args: z.object({}).strict(),
      run: () => service().status(),
    })
    .add({
      name: 'update.history',
      summary: 'What the updater installed and rolled back, and the versions kept for rollback.',
      args: z.object({ target: modelKeySchema.optional() }).strict(),
      run: ({ target }) => service().history(target === undefined ? undefined : confined([target])[0]),
    })
    .add({
      name: 'update.identify',
      summary: 'Hash local models and ask CivitAI what they are; suggests manifest entries.',
      args: z.object({ targets }).strict(),
      run: ({ targets: keys }) => service().identify(confined(keys)),
    })
    .add({
      name: 'update.rollback',
      summary: 'Put a kept version of a model back in place (the newest, or --to VERSION).',
      args: z.object({ target: modelKeySchema, to: z.string().min(1).max(128).optional() }).strict(),
      run: ({ target, to }) => service().rollback(confined([target])[0]!, to),
    });
}
