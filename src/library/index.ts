/** The model library: its folders, the catalog, and the live watch/poll that keeps it current. */
export { buildCatalog } from './build-catalog.js';
export { CATALOG_EVENT_NAMES, Catalog, type ByteCount, type CatalogCounts, type CatalogEvents } from './catalog.js';
export { parseExtraModelPaths, readExtraModelPaths, type ExtraPathEntry } from './extra-model-paths.js';
export {
  DEFAULT_AVAILABILITY_CHECK_MS,
  DEFAULT_SETTLE_MS,
  Library,
  POLL_POLICIES,
  folderMode,
  type FolderMode,
  type FolderStatus,
  type LibraryOptions,
  type LibraryReconfiguration,
  type LibraryStatus,
  type PollPolicy,
} from './library.js';
export { collectModelFolders, folderKey, type FolderCollection, type FolderCollectionInput, type ModelFolder } from './model-folders.js';
export { fileSystemTypeOf, isRemoteFileSystem } from './mounts.js';
export { scanFolder, type FolderScan, type ScannedModel } from './scan.js';
export type { SubscribeFunction } from './watcher.js';
