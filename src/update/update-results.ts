/**
 * The updater's answers and events as they cross the socket and reach
 * `arenactl update ... --json`. They are defined once, in the socket contract
 * (control/contract/update.ts and events.ts); the updater produces values of
 * these types.
 */
export type {
  DownloadState,
  FileVersion,
  HistoryResult,
  IdentifiedFile,
  IdentifyResult,
  KeptVersionResult,
  PendingUpdate,
  RollbackResult,
  UpdateEntryResult,
  UpdateReport,
  UpdatesStatus,
} from '../control/contract/update.js';
export type { UpdateEvent } from '../control/contract/events.js';
