import path from 'node:path';
import { ArenaError, messageOf } from '../core/arena-error.js';
import { cacheRootMessage, prepareCacheRoot } from '../config/cache-root.js';
import { ConfigError } from '../config/errors.js';
import { configReport } from '../config/config-report.js';
import type { Credentials } from '../config/credentials.js';
import type { LoadedConfig } from '../config/load-config.js';
import type { Platform } from '../config/schema.js';
import { ControlServer } from '../control/control-server.js';
import { EventBus } from '../control/event-bus.js';
import type { DaemonState, StatusResult } from '../control/contract/daemon.js';
import type { ArenaEvent } from '../control/contract/events.js';
import { CacheService } from '../cache/cache-service.js';
import { Library } from '../library/library.js';
import type { LoggerHandle, Logger } from '../log/logger.js';
import { MetricsService } from '../metrics/index.js';
import { VERSION } from '../package-info.js';
import { UsageHistory } from '../predict/index.js';
import { WantedModels } from '../predict/wanted-models.js';
import { openSocketToGroup } from '../service/socket-group.js';
import { UpdateService, updateSettingsOf } from '../update/index.js';
import { ConfigChanges } from './config-changes.js';
import { daemonCommands } from './daemon-commands.js';
import { InstanceLock } from './instance-lock.js';
import { cacheSettingsOf, configuredFolders, folderReachable, type ConfiguredFolders } from './configured-settings.js';
import { ModelRequests } from './model-requests.js';
import { Problems } from './problems.js';
import { privateModes, tightenTree } from './private-modes.js';
import { Triggers } from './triggers.js';

export interface DaemonOptions {
  readonly loaded: LoadedConfig;
  /** Reads the configuration again from the same sources (SIGHUP); throws ConfigError. */
  readonly reloadConfig: () => LoadedConfig;
  readonly logging: LoggerHandle;
  readonly platform: Platform;
  /** Hub tokens for the updater (loaded before anything logs, so they are redacted). */
  readonly credentials?: Credentials;
}

type Phase = DaemonState | 'stopping' | 'stopped';

/**
 * Wiring and lifecycle. Start-up order: the instance locks, then the socket
 * (so that `status` answers `starting` while the library is scanned), then the
 * library; `ready` only once all of it runs. Stop is the reverse.
 */
export class Daemon {
  readonly #options: DaemonOptions;
  readonly #logger: Logger;
  readonly #problems = new Problems();
  readonly #bus = new EventBus();
  readonly #startedAt = Date.now();
  #loaded: LoadedConfig;
  #phase: Phase = 'starting';
  #locks: InstanceLock[] = [];
  #server?: ControlServer;
  #library?: Library;
  #cache?: CacheService;
  #history?: UsageHistory;
  #wanted?: WantedModels;
  #requests?: ModelRequests;
  #triggers?: Triggers;
  #updates?: UpdateService;
  #metrics?: MetricsService;
  #folderProblems: string[] = [];
  #reported = new Set<string>();
  readonly #configChanges: ConfigChanges;

  constructor(options: DaemonOptions) {
    this.#options = options;
    this.#loaded = options.loaded;
    this.#logger = options.logging.logger;
    this.#configChanges = new ConfigChanges(options.platform);
  }

  get config() {
    return this.#loaded.config;
  }

  async start(): Promise<void> {
    const { config } = this.#loaded;
    for (const warning of this.#loaded.warnings) this.#logger.warn(warning.message);
    if (this.#loaded.ignoredLegacy.length > 0) {
      this.#logger.info('legacy AutoCache settings with no meaning for the daemon are ignored', {
        variables: this.#loaded.ignoredLegacy.join(','),
      });
    }
    this.#locks.push(await InstanceLock.acquire(path.join(config.state.dir, 'arenad.lock'), 'state.dir'));
    // A cache root that cannot be used leaves the daemon degraded but answering, copying nothing.
    const cacheRootProblem = await prepareCacheRoot(config.cache.root);
    if (cacheRootProblem === undefined) {
      this.#locks.push(await InstanceLock.acquire(path.join(config.cache.root, '.arena', 'lock'), 'cache.root'));
    } else {
      const source = this.#loaded.sources.get('cache.root') ?? { kind: 'default' };
      this.#problems.set(
        'cache-root',
        `${cacheRootMessage(config.cache.root, source, cacheRootProblem)}; nothing is copied until arenad restarts with a usable one`,
      );
    }
    await this.#tightenModes(cacheRootProblem === undefined ? [config.state.dir, config.cache.root] : [config.state.dir]);

    this.#server = new ControlServer({
      socketPath: config.control.socket,
      registry: daemonCommands({
        bus: this.#bus,
        status: () => this.status(),
        configShow: () => configReport(this.#loaded, 'daemon'),
        catalog: () => this.#library!.catalog,
        cache: () => this.#cache,
        requests: () => this.#requests,
        history: () => this.#history,
        updates: () => this.#updates,
        cacheUnusable: () => this.#problems.get('cache-root'),
      }),
      logger: this.#logger.child({ module: 'control' }),
      uid: this.#options.platform.uid,
    });
    await this.#server.listen();
    await openSocketToGroup(config.control.socket, config.control.socketGroup, this.#logger.child({ module: 'control' }));
    this.#logger.info('control socket listening', { socket: config.control.socket });
    await this.#startMetrics();

    await this.#startLibrary();
    this.#history = await UsageHistory.open({ stateDir: config.state.dir, logger: this.#logger.child({ module: 'history' }) });
    if (cacheRootProblem === undefined) {
      await this.#startCache();
      await this.#startWanted();
      await this.#startTriggers();
    }
    await this.#startUpdates();
    this.#phase = 'ready';
    this.#refreshState();
    this.#logger.info(`arenad ${VERSION} ${this.#publicState()}`, { pid: process.pid, socket: config.control.socket });
  }

  /** Stops taking work, lets running work end, flushes state, releases the locks. Safe to call twice. */
  async stop(reason: string): Promise<void> {
    if (this.#phase === 'stopping' || this.#phase === 'stopped') return;
    this.#phase = 'stopping';
    this.#logger.info('stopping', { reason });
    await this.#server?.close().catch((error: unknown) => this.#logger.warn('closing the socket failed', { err: error }));
    await this.#metrics?.stop().catch((error: unknown) => this.#logger.warn('stopping the metrics server failed', { err: error }));
    await this.#updates?.stop().catch((error: unknown) => this.#logger.warn('stopping the updater failed', { err: error }));
    await this.#triggers?.stop().catch((error: unknown) => this.#logger.warn('stopping the watchers failed', { err: error }));
    await this.#history?.flush().catch((error: unknown) => this.#logger.warn('saving the usage history failed', { err: error }));
    await this.#wanted?.stop().catch((error: unknown) => this.#logger.warn('saving the wanted list failed', { err: error }));
    await this.#cache?.stop().catch((error: unknown) => this.#logger.error('stopping the cache failed', { err: error }));
    await this.#library?.stop();
    for (const lock of this.#locks.reverse()) {
      await lock.release().catch((error: unknown) => this.#logger.warn('releasing a lock failed; the next start finds it stale', { err: error }));
    }
    this.#locks = [];
    this.#phase = 'stopped';
    this.#logger.info('stopped');
  }

  /** SIGHUP: read the config again; on any error keep the old one and say why. */
  async reload(): Promise<boolean> {
    let next: LoadedConfig;
    try {
      next = this.#options.reloadConfig();
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      this.#logger.error('config reload failed; keeping the previous configuration', { problems: error.problems.length });
      for (const problem of error.problems) this.#logger.error(problem.message);
      // Shown in status until a reload succeeds, so a failed reload is not noticed only in the log.
      const problems = error.problems.map((problem) => problem.message).join('; ');
      this.#problems.set('config-reload', `the configuration was not reloaded, so the previous configuration stays in force: ${problems}`);
      this.#refreshState();
      return false;
    }
    this.#problems.clear('config-reload');
    const { changed, pending, config } = this.#configChanges.between(this.#loaded.config, next.config);
    for (const warning of next.warnings) this.#logger.warn(warning.message);
    for (const key of pending) this.#logger.warn(`${key} changed; the new value takes effect after a restart`, { key });
    this.#loaded = { ...next, config };
    this.#options.logging.setLevel(next.config.log.level);
    this.#cache?.reconfigure(cacheSettingsOf(this.#loaded.config));
    if (changed.some((key) => key.startsWith('library.') || key === 'comfy.root')) await this.#reconfigureLibrary();
    if (changed.some((key) => key.startsWith('updates.'))) await this.#updates?.reconfigure(updateSettingsOf(this.#loaded.config));
    if (this.#triggers && changed.some((key) => key.startsWith('comfy.'))) {
      await this.#triggers.stop();
      await this.#startTriggers();
    }
    this.#refreshState();
    this.#logger.info('configuration reloaded', { changed: changed.length > 0 ? changed.join(',') : 'nothing' });
    return true;
  }

  status(): StatusResult {
    const { config } = this.#loaded;
    const empty = { folders: [], roots: [], models: 0, bytes: 0, unavailableModels: 0 };
    return {
      version: VERSION,
      pid: process.pid,
      uptimeSeconds: Math.round((Date.now() - this.#startedAt) / 1000),
      state: this.#publicState(),
      problems: this.#allProblems(),
      summary: this.summary(),
      activity: this.#activity(),
      config: { file: this.#loaded.configFile ?? null, envFile: this.#loaded.envFile ?? null },
      comfy: { root: config.comfy.root || null, ...(this.#triggers?.comfyStatus() ?? { url: config.comfy.url, reachable: null }) },
      library: this.#library?.status() ?? empty,
      wanted: this.#wanted?.list() ?? [],
      ...(this.#cache?.status() ?? {
        cache: { enabled: config.cache.enable, root: config.cache.root, maxBytes: config.cache.maxBytes },
        prefetch: { concurrency: config.prefetch.concurrency, verify: config.prefetch.verify },
      }),
      updates: { ...(this.#updates?.status() ?? { manifest: config.updates.manifest || null, windows: config.updates.windows || null }) },
      log: this.#options.logging.destination,
    };
  }

  /** One line for humans and for systemd's STATUS=: what the daemon is doing, then its problem or how many. */
  summary(): string {
    const problems = this.#allProblems();
    const parts = [this.#activity()];
    if (problems.length > 0) parts.push(problems.length === 1 ? problems[0]! : `${problems.length} problems`);
    return parts.filter((part) => part !== '').join(' · ');
  }

  /** The summary without the problems, for `arenactl status`, which lists the problems on lines of their own. */
  #activity(): string {
    const parts: string[] = [];
    if (this.#phase === 'starting') parts.push('starting');
    if (this.#cache) parts.push(this.#cache.summary());
    const updating = this.#updates?.summary();
    if (updating) parts.push(updating);
    return parts.join(' · ');
  }

  #publicState(): DaemonState {
    if (this.#phase === 'starting') return 'starting';
    return this.#allProblems().length > 0 ? 'degraded' : 'ready';
  }

  #allProblems(): string[] {
    return [
      ...this.#problems.list(),
      ...this.#folderProblems,
      ...(this.#library?.problems() ?? []),
      ...(this.#cache?.problems() ?? []),
      ...(this.#triggers?.problems() ?? []),
      ...(this.#updates?.problems() ?? []),
      ...(this.#metrics?.problems() ?? []),
    ];
  }

  /** Logs each problem once when it appears and once when it clears. */
  #refreshState(): void {
    const current = new Set(this.#allProblems());
    for (const problem of current) if (!this.#reported.has(problem)) this.#logger.warn(problem);
    for (const problem of this.#reported) if (!current.has(problem)) this.#logger.info(`resolved: ${problem}`);
    this.#reported = current;
  }

  /** What the services announce, as the events of the contract, to every subscriber whose topics match. */
  #publish(event: ArenaEvent): void {
    this.#bus.publish(event);
  }

  /** The cache tree and the state folder, as an older version or a looser umask may have left them, made private. */
  async #tightenModes(roots: readonly string[]): Promise<void> {
    const modes = privateModes(this.#loaded.config.control.socketGroup !== '');
    for (const root of roots) {
      const changed = await tightenTree(root, modes).catch((error: unknown) => {
        this.#logger.warn('cannot make a folder of the daemon private', { dir: root, err: messageOf(error) });
        return 0;
      });
      if (changed > 0) this.#logger.info(`made ${changed} files and folders under ${root} private`, { mode: modes.file.toString(8) });
    }
  }

  /** After the cache: what was wanted before a restart, and has arrived since, is requested at once. */
  async #startWanted(): Promise<void> {
    const library = this.#library!;
    const cache = this.#cache!;
    const wanted = new WantedModels({
      stateDir: this.#loaded.config.state.dir,
      library,
      request: (models, priority, origin, pin) => cache.request(models, priority, origin, pin),
      logger: this.#logger.child({ module: 'wanted' }),
    });
    wanted.on('event', (event) => this.#publish(event));
    this.#requests = new ModelRequests({ cache, wanted, catalog: () => library.catalog });
    await wanted.start();
    this.#wanted = wanted;
  }

  async #startCache(): Promise<void> {
    const { config } = this.#loaded;
    const library = this.#library!;
    const cache = new CacheService({
      settings: cacheSettingsOf(config),
      stateDir: config.state.dir,
      library,
      folderReachable: (file) => folderReachable(library, file),
      sourceBounds: (entry) => library.sourceBounds(entry.folder),
      logger: this.#logger.child({ module: 'cache' }),
    });
    cache.on('event', (event) => this.#publish(event));
    cache.on('run', (run) => this.#publish({ event: 'cache.run', ...run }));
    cache.loadRuns(this.#history!.runs().map((run) => ({ at: run.t, keys: run.models.map((model) => model.key) })));
    cache.on('problems', () => this.#refreshState());
    await cache.start();
    this.#cache = cache;
  }

  /** Right after the socket, so a scrape during a long NAS scan shows `starting`; counters see every event from here on. */
  async #startMetrics(): Promise<void> {
    this.#metrics = await MetricsService.start({
      listen: this.#loaded.config.metrics.listen,
      sources: {
        version: VERSION,
        daemon: () => this.status(),
        cache: () => this.#cache?.status(),
        updates: () => this.#updates?.status(),
        catalog: () => this.#library?.catalog,
        events: this.#bus,
      },
      logger: this.#logger.child({ module: 'metrics' }),
      onProblemChange: () => this.#refreshState(),
    });
  }

  async #startUpdates(): Promise<void> {
    const { config } = this.#loaded;
    const updates = new UpdateService({
      settings: updateSettingsOf(config),
      credentials: this.#options.credentials ?? {},
      stateDir: config.state.dir,
      library: () => this.#library!.catalog,
      // Before a swap: a NAS is only polled, so the cache must not wait for the library to notice.
      invalidate: async (key) => {
        await this.#cache?.evict(key, { reason: 'replaced by an update', cause: 'update', force: true }).catch((error: unknown) => {
          if (!(error instanceof ArenaError && error.code === 'E_NOT_FOUND')) throw error;
        });
      },
      logger: this.#logger.child({ module: 'update' }),
      holder: 'arenad',
    });
    updates.on('event', (event) => this.#publish(event));
    updates.on('problems', () => this.#refreshState());
    // An arenactl updating while no daemon ran holds the lock: start anyway, and take it once free.
    await updates.start({ schedule: true, lock: 'wait' });
    this.#updates = updates;
  }

  async #startTriggers(): Promise<void> {
    const { config } = this.#loaded;
    const triggers = new Triggers({
      ...(config.comfy.root ? { comfyRoot: config.comfy.root } : {}),
      comfyUrl: config.comfy.url,
      catalog: () => this.#library!.catalog,
      cache: this.#cache!,
      requests: this.#requests!,
      settling: (category, name) => this.#library!.settling(category, name),
      history: this.#history!,
      logger: this.#logger.child({ module: 'predict' }),
    });
    await triggers.start();
    this.#triggers = triggers;
  }

  async #startLibrary(): Promise<void> {
    const { settings } = await this.#configuredFolders();
    this.#library = new Library({ ...settings, logger: this.#logger.child({ module: 'library' }) });
    this.#library.on('unavailable', () => this.#refreshState());
    this.#library.on('available', () => this.#refreshState());
    await this.#library.start();
  }

  async #reconfigureLibrary(): Promise<void> {
    try {
      const { settings } = await this.#configuredFolders();
      await this.#library?.reconfigure(settings);
    } catch (error) {
      this.#logger.error('applying the new library folders failed', { err: messageOf(error) });
    }
  }

  async #configuredFolders(): Promise<ConfiguredFolders> {
    const configured = await configuredFolders(this.#loaded.config, this.#options.platform);
    if (configured.noComfy === undefined) this.#problems.clear('comfy');
    else this.#problems.set('comfy', configured.noComfy);
    // Absent folders are reported live by the Library, which also clears them when they return.
    this.#folderProblems = [...configured.problems];
    return configured;
  }
}
