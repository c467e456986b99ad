import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { ExecutionContext } from 'ava';
import { CacheService, type CacheServiceOptions, type CacheSettings, type CatalogFeed } from '../../src/cache/cache-service.js';
import type { CacheEvent } from '../../src/cache/cache-events.js';
import { Catalog, type CatalogEvents } from '../../src/library/catalog.js';
import type { ModelFolder } from '../../src/library/model-folders.js';
import { silentLogger } from '../../src/log/logger.js';
import { eventually } from './raw-socket.js';
import { tempDir } from './temp-dir.js';

/** Parts of the service a test replaces: a failing copier, a full disk. */
export type HarnessParts = Pick<CacheServiceOptions, 'copy' | 'freeSpace'>;

/**
 * A cache service on real folders: a "NAS" library with real bytes, an SSD
 * cache root and a state dir, with a real Catalog as its library feed, so a
 * test changes a library file and tells the catalog, as the Library would.
 */
export class CacheHarness {
  readonly events: CacheEvent[] = [];
  readonly catalog: Catalog;
  service!: CacheService;
  reachable = true;

  private constructor(
    readonly t: ExecutionContext,
    readonly nas: string,
    readonly cacheRoot: string,
    readonly stateDir: string,
    readonly folders: ModelFolder[],
  ) {
    this.catalog = new Catalog(folders);
  }

  static async create(t: ExecutionContext, settings: Partial<CacheSettings> = {}, parts: HarnessParts = {}): Promise<CacheHarness> {
    const base = await tempDir(t, 'arena-cache-');
    const nas = path.join(base, 'nas');
    const folders = ['checkpoints', 'loras', 'vae', 'embeddings'].map((category) => ({
      category,
      dir: path.join(nas, category),
      origin: 'library.roots',
      root: nas,
    }));
    for (const folder of folders) fs.mkdirSync(folder.dir, { recursive: true });
    const harness = new CacheHarness(t, nas, path.join(base, 'ssd'), path.join(base, 'state'), folders);
    await harness.start(settings, parts);
    return harness;
  }

  settingsWith(overrides: Partial<CacheSettings>): CacheSettings {
    return {
      enabled: true,
      root: this.cacheRoot,
      maxBytes: 0,
      minFreeBytes: 0,
      minFileBytes: 0,
      categories: [],
      concurrency: 2,
      verify: 'sha256',
      lowWater: 0.9,
      trimSchedule: '0 4 * * *',
      ...overrides,
    };
  }

  /** Starts (or restarts) a service on the same folders. */
  async start(settings: Partial<CacheSettings> = {}, parts: HarnessParts = {}): Promise<CacheService> {
    const feed: CatalogFeed = {
      catalog: this.catalog,
      on: (event: string, listener: (...args: never[]) => void) =>
        this.catalog.on(event as 'added', listener as (...args: CatalogEvents['added']) => void),
    };
    this.service = new CacheService({
      settings: this.settingsWith(settings),
      stateDir: this.stateDir,
      library: feed,
      folderReachable: () => this.reachable,
      logger: silentLogger,
      checkIntervalMs: 200,
      ...parts,
    });
    this.service.on('event', (event) => this.events.push(event));
    const service = this.service;
    this.t.teardown(() => service.stop());
    await service.start();
    return service;
  }

  /** Writes a library file with real random bytes and tells the catalog about it. */
  addModel(category: string, name: string, bytes: number): string {
    const file = path.join(this.nas, category, name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, randomBytes(bytes));
    this.announce(category, name);
    return file;
  }

  /** Re-reads a library file into the catalog (added or changed), or removes it when gone. */
  announce(category: string, name: string): void {
    const folder = this.folders.find((candidate) => candidate.category === category)!;
    const file = path.join(folder.dir, name);
    if (!fs.existsSync(file)) {
      this.catalog.remove(folder, name);
      return;
    }
    const stat = fs.statSync(file);
    this.catalog.upsert({ category, name, folder: folder.dir, path: file, size: stat.size, mtimeMs: stat.mtimeMs });
  }

  cachePath(category: string, name: string): string {
    return path.join(this.cacheRoot, category, name);
  }

  async waitForEvent(predicate: (event: CacheEvent) => boolean, what: string): Promise<CacheEvent> {
    await eventually(
      () => this.events.some(predicate),
      15_000,
      () => `${what}; events so far: ${JSON.stringify(this.events)}`,
    );
    return this.events.find(predicate)!;
  }

  async waitForDone(key: string): Promise<void> {
    await this.waitForEvent((event) => event.event === 'prefetch.done' && event.key === key, `${key} copied`);
  }
}
