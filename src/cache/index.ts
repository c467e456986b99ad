/** The on-disk SSD cache: its tree, the copier, the ledger, start-up recovery and removal. */
export { CacheTree, type CachedFile } from './cache-tree.js';
export { copyIntoCache, type CopierOptions, type CopyRequest, type CopyResult, type VerifyMode } from './copier.js';
export { nodeCopyIo, type CopyIo } from './copy-io.js';
export { freeSpace, type FreeSpace } from './free-space.js';
export { hashFile, type FileDigest } from './hash-file.js';
export { entryForCopy, type LedgerEntry } from './ledger-entry.js';
export { Ledger, type LedgerOptions, type LedgerTotals } from './ledger.js';
export { reconcileCache, type RecoveryInput, type RecoveryReport, type SourceFile } from './recovery.js';
export { detectRemovedFiles, removeCachedCopy, type CacheChange, type RemovedCopy } from './removal.js';
export { CacheIoError } from './errors/cache-io-error.js';
export { CopyAbortedError } from './errors/copy-aborted-error.js';
export { NoSpaceError } from './errors/no-space-error.js';
export { PathError } from './errors/path-error.js';
export { SourceChangedError } from './errors/source-changed-error.js';
export { SourceMissingError } from './errors/source-missing-error.js';
export { SourceReadError } from './errors/source-read-error.js';
export { VerifyError } from './errors/verify-error.js';
