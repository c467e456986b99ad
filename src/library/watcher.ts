/**
 * Kernel file events through @parcel/watcher. Events are hints only: the
 * library re-reads every path it is told about, and a periodic rescan is the
 * truth. The subscribe function is injectable, so that tests can stand in for
 * failures (an exhausted inotify watch limit) that are hard to cause for real.
 */
import parcelWatcher from '@parcel/watcher';
import { isWithin } from './paths.js';

export type WatchEventType = 'create' | 'update' | 'delete';

export interface WatchEvent {
  readonly path: string;
  readonly type: WatchEventType;
}

export interface WatchSubscription {
  unsubscribe(): Promise<void>;
}

export type WatchCallback = (error: Error | null, events: WatchEvent[]) => void;

/** The shape of `@parcel/watcher`'s `subscribe`, as far as the library uses it. */
export type SubscribeFunction = (dir: string, callback: WatchCallback) => Promise<WatchSubscription>;

export const parcelSubscribe: SubscribeFunction = (dir, callback) => parcelWatcher.subscribe(dir, callback);

/**
 * Files that download helpers leave beside models (previews, metadata) and
 * that are never models. The watcher keeps a record of every path it
 * follows, and libraries often hold several of these per model: leaving them
 * out saves that memory. A folder with such a name would be left out too;
 * the slow rescan still covers it.
 */
const SIDECAR_FILES = /\.(?:png|jpe?g|webp|gif|mp4|webm|json|info|txt|md|html?)$/;

/** For model folders only: the workflow and output watchers need exactly these files. */
export const librarySubscribe: SubscribeFunction = (dir, callback) => parcelWatcher.subscribe(dir, callback, { ignore: [SIDECAR_FILES] });

/**
 * True when the kernel refused more watches: `inotify_add_watch` fails with
 * ENOSPC once `fs.inotify.max_user_watches` is used up, and `inotify_init`
 * with EMFILE once `max_user_instances` is. Polling is the way out of both.
 */
export function isWatchLimitError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'ENOSPC' || code === 'EMFILE') return true;
  const message = error instanceof Error ? error.message : String(error);
  return /ENOSPC|EMFILE|no space left on device|too many open files|inotify.*limit/i.test(message);
}

export interface WatchHandlers {
  readonly onEvents: (events: WatchEvent[]) => void;
  readonly onError: (error: Error) => void;
}

/** Subscribes to a folder tree; a handler that throws is reported through `onError`, never into the watcher. */
export function watchDirectory(dir: string, subscribe: SubscribeFunction, handlers: WatchHandlers): Promise<WatchSubscription> {
  return subscribe(dir, (error, events) => {
    try {
      if (error) handlers.onError(error);
      else handlers.onEvents(events);
    } catch (thrown) {
      handlers.onError(thrown instanceof Error ? thrown : new Error(String(thrown)));
    }
  });
}

/**
 * The folders to subscribe to: each distinct directory once, and none that
 * sits inside another (one recursive subscription covers it), sorted.
 */
export function topDirectories(dirs: Iterable<string>): string[] {
  const tops: string[] = [];
  for (const dir of [...new Set(dirs)].sort()) {
    if (!tops.some((top) => isWithin(dir, top))) tops.push(dir);
  }
  return tops;
}

/** The top directory that holds `dir`. */
export function topDirectoryOf(dir: string, tops: readonly string[]): string | undefined {
  return tops.find((top) => isWithin(dir, top));
}
