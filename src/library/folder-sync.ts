/**
 * Keeps the catalog's view of each folder in line with the disk. Work on one
 * folder (a scan, a batch of watch events, an existence check) runs one piece
 * at a time, in order; different folders proceed in parallel. New and changed
 * files go through the settler; removals are checked before they count; a
 * folder that cannot be reached is marked unavailable, never emptied.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { modelKey, normalizeModelName } from '../core/categories.js';
import type { Logger } from '../log/logger.js';
import type { Catalog } from './catalog.js';
import { folderKey, type ModelFolder } from './model-folders.js';
import { isWithin, relativeName } from './paths.js';
import { folderProblem, isInDotFolder, scanFolder, statModel, type ScannedModel } from './scan.js';
import { Settler } from './settle.js';

/** `unknown` until the first scan of the folder. */
export type FolderPresence = 'unknown' | 'ok' | 'missing';

export interface FolderSyncOptions {
  readonly catalog: Catalog;
  readonly settleMs: number;
  readonly logger: Logger;
}

interface FolderState {
  folder: ModelFolder;
  readonly key: string;
  presence: FolderPresence;
  queue: Promise<void>;
}

async function kindOf(target: string): Promise<'file' | 'directory' | 'gone'> {
  try {
    return (await stat(target)).isDirectory() ? 'directory' : 'file';
  } catch {
    return 'gone';
  }
}

export class FolderSync {
  private states = new Map<string, FolderState>();
  private readonly settler: Settler;
  private stopped = false;

  constructor(private readonly options: FolderSyncOptions) {
    this.settler = new Settler({
      settleMs: options.settleMs,
      restat: (model) => this.restat(model),
      commit: (model) => this.commitSettled(model),
      onError: (error) => options.logger.warn('checking a settling model file failed', { err: error }),
    });
  }

  /** Installs a folder list (in the catalog too); returns the folders that are new. */
  install(folders: readonly ModelFolder[]): ModelFolder[] {
    const { catalog } = this.options;
    catalog.setFolders(folders);
    const states = new Map<string, FolderState>();
    const added: ModelFolder[] = [];
    for (const folder of catalog.folders()) {
      const key = folderKey(folder);
      const existing = this.states.get(key);
      if (existing !== undefined) existing.folder = folder;
      else added.push(folder);
      states.set(key, existing ?? { folder, key, presence: 'unknown', queue: Promise.resolve() });
    }
    this.states = states;
    this.settler.forget((model) => !states.has(folderKey({ category: model.category, dir: model.folder })));
    return added;
  }

  folders(): ModelFolder[] {
    return [...this.states.values()].map((state) => state.folder);
  }

  presence(folder: ModelFolder): FolderPresence {
    return this.states.get(folderKey(folder))?.presence ?? 'unknown';
  }

  /**
   * Scans the whole folder and brings the catalog in line. At the first scan
   * a file untouched for `settleMs` counts at once, so that start-up ends with
   * a full catalog; every other new or changed file waits to settle.
   */
  sync(folder: ModelFolder, options: { firstScan: boolean }): Promise<void> {
    return this.enqueue(folder, (state) => this.syncState(state, options.firstScan));
  }

  /**
   * Re-reads paths that a watch event named: a file is observed, a directory
   * (which the kernel does not watch inside when it was moved in) is scanned,
   * and a path that is gone takes its files along. `onDirectory` hears of each
   * directory that appeared.
   */
  applyChanges(folder: ModelFolder, changed: readonly string[], onDirectory: (dir: string) => void): Promise<void> {
    return this.enqueue(folder, async (state) => {
      // The first scan is queued behind this batch and will see the change.
      if (state.presence === 'unknown') return;
      if (state.presence === 'missing') return this.syncState(state, false);
      for (const target of changed) {
        if (state.presence !== 'ok') return;
        await this.applyChange(state, target, onDirectory);
      }
    });
  }

  /** The cheap existence check: marks a vanished folder unavailable, rescans one that came back. */
  checkPresence(folder: ModelFolder): Promise<void> {
    return this.enqueue(folder, async (state) => {
      const problem = await folderProblem(state.folder.dir);
      if (problem !== undefined) this.markMissing(state, problem);
      else if (state.presence !== 'ok') await this.syncState(state, false);
    });
  }

  /**
   * A file of this category and name that is still being written (not yet
   * in the catalog, or changing): the first in folder order. Without a
   * category, any category's file of that name.
   */
  settling(category: string | null, name: string): ScannedModel | undefined {
    const wanted = category === null ? normalizeModelName(name) : modelKey(category, name);
    if (wanted === undefined) return undefined;
    const order = new Map(this.folders().map((folder, index) => [folderKey(folder), index]));
    let first: { model: ScannedModel; position: number } | undefined;
    for (const model of this.settler.pendingModels()) {
      const key = category === null ? normalizeModelName(model.name) : modelKey(model.category, model.name);
      if (key !== wanted) continue;
      const position = order.get(folderKey({ category: model.category, dir: model.folder })) ?? Infinity;
      if (first === undefined || position < first.position) first = { model, position };
    }
    return first?.model;
  }

  /** Stops: pending files are dropped and queued work is awaited. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.settler.clear();
    await Promise.all([...this.states.values()].map((state) => state.queue));
  }

  private enqueue(folder: ModelFolder, task: (state: FolderState) => Promise<void>): Promise<void> {
    const state = this.states.get(folderKey(folder));
    if (state === undefined) return Promise.resolve();
    state.queue = state.queue.then(async () => {
      if (!this.isCurrent(state)) return;
      try {
        await task(state);
      } catch (error) {
        this.options.logger.warn('updating the catalog of a model folder failed', { dir: state.folder.dir, err: error });
      }
    });
    return state.queue;
  }

  private isCurrent(state: FolderState): boolean {
    return !this.stopped && this.states.get(state.key) === state;
  }

  private async syncState(state: FolderState, firstScan: boolean): Promise<void> {
    const scan = await scanFolder(state.folder);
    if (!this.isCurrent(state)) return;
    if (scan.state === 'missing') return this.markMissing(state, scan.reason);
    this.markPresent(state);
    const settledBefore = Date.now() - this.options.settleMs;
    this.applyScan(state, scan.models, (model) => firstScan && model.mtimeMs <= settledBefore);
    const seen = new Set(scan.models.map((model) => normalizeModelName(model.name)));
    const known = [...this.options.catalog.folderEntries(state.folder).keys()];
    await this.removeGone(
      state,
      known.filter((name) => !seen.has(name)),
    );
  }

  private async applyChange(state: FolderState, target: string, onDirectory: (dir: string) => void): Promise<void> {
    const { dir } = state.folder;
    if (!isWithin(target, dir) || target === dir) {
      // The folder itself, or a folder above it, was touched: it may have gone.
      const problem = await folderProblem(dir);
      if (problem !== undefined) this.markMissing(state, problem);
      return;
    }
    const name = relativeName(dir, target);
    if (isInDotFolder(name)) return;
    const kind = await kindOf(target);
    if (kind === 'file') {
      const model = await statModel(state.folder, name);
      if (model !== undefined) this.observeIfChanged(state, model);
    } else if (kind === 'directory') {
      if (path.basename(name).startsWith('.')) return;
      await this.scanSubtree(state, name);
      onDirectory(target);
    } else {
      const normalized = normalizeModelName(name);
      this.settler.forget(
        (model) =>
          model.folder === dir &&
          model.category === state.folder.category &&
          normalized !== undefined &&
          (model.name === normalized || model.name.startsWith(`${normalized}/`)),
      );
      await this.removeGone(state, this.options.catalog.namesUnder(state.folder, name));
    }
  }

  /** Scans one subfolder and brings its part of the catalog in line. */
  private async scanSubtree(state: FolderState, name: string): Promise<void> {
    const scan = await scanFolder(state.folder, { subdir: name });
    if (scan.state === 'missing') return this.markMissing(state, scan.reason);
    this.applyScan(state, scan.models, () => false);
    const seen = new Set(scan.models.map((model) => normalizeModelName(model.name)));
    const known = this.options.catalog.namesUnder(state.folder, name);
    await this.removeGone(
      state,
      known.filter((other) => !seen.has(other)),
    );
  }

  private applyScan(state: FolderState, models: ScannedModel[], countsAtOnce: (model: ScannedModel) => boolean): void {
    for (const model of models) {
      if (countsAtOnce(model)) this.options.catalog.upsert(model);
      else this.observeIfChanged(state, model);
    }
  }

  private observeIfChanged(state: FolderState, model: ScannedModel): void {
    const name = normalizeModelName(model.name);
    const known = name === undefined ? undefined : this.options.catalog.folderEntries(state.folder).get(name);
    if (known !== undefined && known.size === model.size && known.mtimeMs === model.mtimeMs && known.path === model.path) {
      return;
    }
    this.settler.observe(model);
  }

  /**
   * Removes files that a scan or an event says are gone, each checked first:
   * a scan may have raced with a new file, and a folder that vanished makes
   * its files look deleted when they are only out of reach.
   */
  private async removeGone(state: FolderState, names: string[]): Promise<void> {
    if (names.length === 0) return;
    const problem = await folderProblem(state.folder.dir);
    if (problem !== undefined) return this.markMissing(state, problem);
    for (const name of names) {
      const model = await statModel(state.folder, name);
      if (model === undefined) this.options.catalog.remove(state.folder, name);
      else this.observeIfChanged(state, model);
    }
  }

  private markPresent(state: FolderState): void {
    const wasMissing = state.presence === 'missing';
    state.presence = 'ok';
    if (!wasMissing) return;
    this.options.logger.info('model folder is back', { dir: state.folder.dir, category: state.folder.category });
    this.options.catalog.setAvailable(state.folder, true);
  }

  private markMissing(state: FolderState, reason: string): void {
    const wasPresent = state.presence === 'ok';
    state.presence = 'missing';
    this.settler.forget((model) => model.folder === state.folder.dir && model.category === state.folder.category);
    if (!wasPresent) return;
    this.options.logger.warn('model folder is unreachable; its models are kept as unavailable', {
      dir: state.folder.dir,
      category: state.folder.category,
      reason,
      models: this.options.catalog.folderEntries(state.folder).size,
    });
    this.options.catalog.setAvailable(state.folder, false);
  }

  private async restat(model: ScannedModel): Promise<ScannedModel | undefined> {
    const state = this.states.get(folderKey({ category: model.category, dir: model.folder }));
    return state === undefined ? undefined : statModel(state.folder, model.name);
  }

  private commitSettled(model: ScannedModel): void {
    const state = this.states.get(folderKey({ category: model.category, dir: model.folder }));
    if (state === undefined || !this.isCurrent(state) || state.presence !== 'ok') return;
    this.options.catalog.upsert(model);
  }
}
