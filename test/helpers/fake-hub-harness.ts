/**
 * An UpdateService wired to a FakeHub and a real library in a temp folder
 * (`<root>/<category>/<name>`), with every side effect recorded: log
 * entries (raw, before any redaction), backoff sleeps, cache invalidations
 * and events.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { ExecutionContext } from 'ava';
import sinon from 'sinon';
import { stringify } from 'yaml';
import type { Credentials } from '../../src/config/credentials.js';
import type { LogMeta, Logger } from '../../src/log/logger.js';
import { buildCatalog } from '../../src/library/build-catalog.js';
import { collectModelFolders, type ModelFolder } from '../../src/library/model-folders.js';
import { DEFAULT_BACKOFF, type RateLimitPolicy } from '../../src/update/rate-limit.js';
import type { UpdateEvent } from '../../src/control/contract/events.js';
import { UpdateService, type UpdateClock, type UpdateLibrary } from '../../src/update/index.js';
import { FakeHub, sha256Hex } from './fake-hub.js';
import { tempDir } from './temp-dir.js';

export interface LogLine {
  readonly level: string;
  readonly message: string;
  readonly meta: LogMeta;
}

export interface UpdaterHarness {
  readonly hub: FakeHub;
  readonly root: string;
  readonly stateDir: string;
  readonly manifestFile: string;
  readonly service: UpdateService;
  readonly logs: LogLine[];
  readonly sleeps: number[];
  readonly invalidated: string[];
  readonly events: UpdateEvent[];
  /** The library file of a target. */
  file(target: string): string;
  writeManifest(models: readonly unknown[]): Promise<void>;
  /** Every log line as text (message and meta), raw. */
  logText(): string;
}

export interface HarnessOptions {
  readonly hub?: FakeHub;
  readonly root?: string;
  readonly models?: readonly unknown[];
  readonly credentials?: Credentials;
  readonly windows?: string;
  readonly clock?: UpdateClock;
  readonly backoff?: RateLimitPolicy;
  /** Called with the target before the cache copy is dropped (the swap has not happened yet). */
  readonly onInvalidate?: (key: string) => void | Promise<void>;
  /** Start the window scheduler (default: only when windows are given). */
  readonly schedule?: boolean;
  /** updates.stallTimeout in seconds (the default when left out). */
  readonly stallTimeout?: number;
  /** updates.minRate in bytes per second (the default when left out). */
  readonly minRate?: number;
}

/** The defaults of updates.stallTimeout (seconds) and updates.minRate (bytes per second). */
export const DEFAULT_PACE = { stallTimeout: 60, minRate: 100_000 } as const;

export function randomModel(bytes: number): Buffer {
  return randomBytes(bytes);
}

type FakeTimerOptions = Exclude<Parameters<typeof sinon.useFakeTimers>[0], Date | number | undefined>;

/**
 * A fake clock that drives only the update windows handed it (not the
 * process's timers, which the real HTTP of the downloads needs), as an UpdateClock.
 */
export function fakeUpdateClock(now: number): { clock: sinon.SinonFakeTimers; updateClock: UpdateClock } {
  // sinon installs the fake on this object instead of the process's globals (its `global` option, missing from its types).
  const options: FakeTimerOptions & { global: object } = {
    now,
    toFake: ['Date', 'setTimeout', 'clearTimeout'],
    global: { Date, setTimeout, clearTimeout, setInterval, clearInterval },
  };
  const clock = sinon.useFakeTimers(options);
  return {
    clock,
    updateClock: {
      now: () => clock.now,
      at(time, action) {
        const id = clock.setTimeout(action, Math.max(0, time - clock.now));
        return () => clock.clearTimeout(id);
      },
    },
  };
}

function recorder(lines: LogLine[]): Logger {
  const make = (fixed: LogMeta): Logger => {
    const log =
      (level: string) =>
      (message: string, meta: LogMeta = {}) =>
        lines.push({ level, message, meta: { ...fixed, ...meta } });
    return { error: log('error'), warn: log('warn'), info: log('info'), debug: log('debug'), child: (meta) => make({ ...fixed, ...meta }) };
  };
  return make({});
}

/** A library read once from its root (folders in ComfyUI's order; models for identify). */
export async function scannedLibrary(root: string): Promise<UpdateLibrary> {
  const { folders } = await collectModelFolders({ libraryRoots: [root], exclude: [] });
  const catalog = await buildCatalog(folders);
  return { folders: (): readonly ModelFolder[] => folders, entries: (category?: string) => catalog.entries(category) };
}

export async function startUpdater(t: ExecutionContext, options: HarnessOptions = {}): Promise<UpdaterHarness> {
  const hub = options.hub ?? (await FakeHub.start(t));
  const base = await tempDir(t, 'arena-update-');
  const root = options.root ?? path.join(base, 'library');
  const stateDir = path.join(base, 'state');
  const manifestFile = path.join(base, 'manifest.yaml');
  await fs.mkdir(path.join(root, 'checkpoints'), { recursive: true });
  await fs.mkdir(path.join(root, 'loras'), { recursive: true });
  const logs: LogLine[] = [];
  const sleeps: number[] = [];
  const invalidated: string[] = [];
  const events: UpdateEvent[] = [];
  let library = await scannedLibrary(root);
  const writeManifest = async (models: readonly unknown[]) => {
    await fs.writeFile(manifestFile, stringify({ models }));
    library = await scannedLibrary(root);
  };
  await writeManifest(options.models ?? []);
  const service = new UpdateService({
    settings: {
      manifest: manifestFile,
      windows: options.windows ?? '',
      hfEndpoint: hub.endpoint,
      civitaiEndpoint: hub.endpoint,
      stallTimeout: options.stallTimeout ?? DEFAULT_PACE.stallTimeout,
      minRate: options.minRate ?? DEFAULT_PACE.minRate,
    },
    credentials: options.credentials ?? {},
    stateDir,
    library: () => library,
    invalidate: async (key) => {
      await options.onInvalidate?.(key);
      invalidated.push(key);
    },
    logger: recorder(logs),
    holder: 'test',
    sleep: (ms) => {
      sleeps.push(ms);
      return Promise.resolve();
    },
    ...(options.clock ? { clock: options.clock } : {}),
    // Without jitter, so that tests can name the exact waits of a backoff.
    backoff: options.backoff ?? { ...DEFAULT_BACKOFF, jitter: 0 },
  });
  service.on('event', (event) => events.push(event));
  await service.start({ schedule: options.schedule ?? options.windows !== undefined, lock: 'require' });
  t.teardown(() => service.stop());
  return {
    hub,
    root,
    stateDir,
    manifestFile,
    service,
    logs,
    sleeps,
    invalidated,
    events,
    file: (target) => path.join(root, ...target.split('/')),
    writeManifest,
    logText: () => logs.map((line) => `${line.message} ${JSON.stringify(line.meta)}`).join('\n'),
  };
}

/** Version 1 of a Hugging Face model (`bytes / 2` long) in the library, and version 2 (`bytes`) on the hub. */
export async function newerOnHub(harness: UpdaterHarness, repo: string, target: string, bytes = 1024 * 1024): Promise<{ v1: Buffer; v2: Buffer }> {
  const file = target.split('/').pop()!;
  const v1 = randomModel(bytes / 2);
  const v2 = randomModel(bytes);
  harness.hub.publishHf(repo, file, v1);
  await fs.writeFile(harness.file(target), v1);
  harness.hub.publishHf(repo, file, v2);
  return { v1, v2 };
}

/** A file's sha256: comparing hashes is fast where comparing megabyte buffers in an assertion is not. */
export async function fileSha(file: string): Promise<string> {
  return sha256Hex(await fs.readFile(file));
}
