/**
 * The socket's commands and the parts of the daemon each one reaches. Each
 * command's arguments and result are defined in control/contract/, and
 * docs/protocol.md describes them. A part that is not running yet (the cache
 * while it recovers, the updater, which starts last) answers E_STARTING, or
 * E_CACHE_ROOT when the cache root cannot be used.
 */
import { ArenaError } from '../core/arena-error.js';
import type { CacheService } from '../cache/cache-service.js';
import { CommandRegistry, socketCommand } from '../control/command-registry.js';
import { evictCommand, pinCommand, unpinCommand } from '../control/commands/cache-entry.js';
import { helloCommand } from '../control/commands/hello.js';
import { prefetchCommand } from '../control/commands/prefetch.js';
import { resolveCommand } from '../control/commands/resolve.js';
import { subscribeCommand } from '../control/commands/subscribe.js';
import type { ConfigReport, StatusResult } from '../control/contract/daemon.js';
import type { EventBus } from '../control/event-bus.js';
import type { Catalog } from '../library/catalog.js';
import type { UsageHistory } from '../predict/index.js';
import { registerUpdateCommands, type UpdateService } from '../update/index.js';
import { VERSION } from '../package-info.js';
import type { ModelRequests } from './model-requests.js';

/** The daemon's parts as they are at the moment a command runs; undefined until started. */
export interface CommandTargets {
  readonly bus: EventBus;
  status(): StatusResult;
  configShow(): ConfigReport;
  catalog(): Catalog;
  cache(): CacheService | undefined;
  requests(): ModelRequests | undefined;
  history(): UsageHistory | undefined;
  updates(): UpdateService | undefined;
  /** Why the cache will not start in this run (an unusable cache root), if so. */
  cacheUnusable(): string | undefined;
}

export function daemonCommands(targets: CommandTargets): CommandRegistry {
  const cache = (): CacheService => {
    const running = targets.cache();
    if (running) return running;
    const unusable = targets.cacheUnusable();
    if (unusable !== undefined) throw new ArenaError('E_CACHE_ROOT', unusable);
    throw starting('recovering the cache');
  };
  const requests = (): ModelRequests => {
    cache();
    const running = targets.requests();
    if (!running) throw starting('recovering the cache');
    return running;
  };
  const registry = new CommandRegistry();
  registry
    .add(helloCommand(VERSION, registry))
    .add(subscribeCommand(targets.bus))
    .add(socketCommand('status', () => targets.status()))
    .add(socketCommand('config.show', () => targets.configShow()))
    .add(resolveCommand(() => targets.catalog()))
    .add(prefetchCommand((models, priority, origin, wantMissing) => requests().requestDurably(models, priority, origin, { wantMissing })))
    .add(pinCommand((key) => requests().pinDurably(key)))
    .add(unpinCommand((key) => cache().unpin(key)))
    .add(evictCommand((key, force) => cache().evict(key, { force })))
    .add(socketCommand('ls', () => ({ entries: cache().list() })))
    .add(socketCommand('stats', () => cache().stats()))
    .add(socketCommand('trim', ({ dryRun, toBytes }) => cache().trim({ dryRun, ...(toBytes === undefined ? {} : { toBytes }) })))
    .add(
      socketCommand('history.file', async () => {
        const history = targets.history();
        if (!history) throw starting('opening its usage history');
        await history.flush();
        return { file: history.file };
      }),
    );
  registerUpdateCommands(registry, () => targets.updates() ?? throwStarting('the updater starts last'));
  return registry;
}

function starting(what: string): ArenaError {
  return new ArenaError('E_STARTING', `the daemon is still starting (${what}); try again in a moment`);
}

function throwStarting(what: string): never {
  throw starting(what);
}
