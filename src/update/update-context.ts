import type { Logger } from '../log/logger.js';
import type { CivitaiClient } from './civitai-client.js';
import type { HashCache } from './hash-cache.js';
import type { HfClient } from './hf-client.js';
import type { UpdateLibrary } from './locate-target.js';
import type { UpdateHistory } from './update-history.js';

/** What the updater's steps share: the hubs, the library, the state files, and the cache's invalidation. */
export interface UpdateContext {
  readonly library: UpdateLibrary;
  readonly hashes: HashCache;
  readonly history: UpdateHistory;
  readonly hf: HfClient;
  readonly civitai: CivitaiClient;
  /** Drops the SSD cache's copy of a model key (a no-op when it has none). */
  readonly invalidate: (key: string) => Promise<void>;
  readonly logger: Logger;
  readonly now: () => number;
}
