/**
 * The updater's answers and events as they cross the socket and reach
 * `arenactl update ... --json`. Check and run answer `{"entries": [{"target",
 * "status", "error"?}]}`, whose fixed part docs/updates.md gives; further
 * fields are extras.
 */
import type { HistoryRecord } from './update-history.js';

export type EntryStatus = 'up-to-date' | 'available' | 'updated' | 'error';

export interface FileVersion {
  readonly sha256: string;
  readonly bytes: number;
}

export interface UpdateEntryResult {
  readonly target: string;
  readonly status: EntryStatus;
  readonly error?: { readonly code: string; readonly message: string };
  /** `hf:acme/toy/toy.safetensors@main`, `civitai:1234 latest`. */
  readonly source?: string;
  readonly path?: string;
  /** The library file before this command; null when the library does not have it yet. */
  readonly local?: FileVersion | null;
  readonly remote?: FileVersion & { readonly version: string; readonly label: string };
  /** A rollback holds this version back: only `update run TARGET` installs it. */
  readonly held?: boolean;
  /** The download stopped with its window; it resumes in the next one. */
  readonly paused?: { readonly bytesDone: number; readonly bytes: number };
  /** Where the replaced file was kept (run). */
  readonly keptAs?: string;
}

export interface UpdateReport {
  readonly entries: readonly UpdateEntryResult[];
}

export interface DownloadState {
  readonly target: string;
  readonly state: 'downloading' | 'paused';
  readonly bytesDone: number;
  readonly bytes: number;
  readonly percent: number;
  readonly version: string;
}

export interface PendingUpdate {
  readonly target: string;
  readonly bytes: number;
  readonly version: string;
  readonly held: boolean;
}

export interface UpdatesStatus {
  readonly manifest: string | null;
  readonly windows: string | null;
  readonly tracked: number;
  readonly problems: readonly string[];
  readonly credentials: { readonly hf: boolean; readonly civitai: boolean };
  readonly windowOpen: boolean;
  /** The window open now, or the next to open; times in ISO 8601. */
  readonly currentWindow: { readonly opensAt: string; readonly closesAt: string } | null;
  readonly nextWindow: { readonly opensAt: string; readonly closesAt: string } | null;
  readonly running: boolean;
  readonly lastCheck: { readonly at: string; readonly available: number; readonly errors: number } | null;
  readonly pending: readonly PendingUpdate[];
  readonly downloads: readonly DownloadState[];
  readonly installed: number;
  readonly failed: number;
}

export interface KeptVersionResult {
  readonly sha256: string;
  readonly bytes: number;
  readonly keptAt: string;
  readonly file: string;
  /** The hub version this content was installed from, when the history knows it. */
  readonly version?: string;
}

export interface HistoryResult {
  readonly records: readonly HistoryRecord[];
  readonly kept: ReadonlyArray<{ readonly target: string; readonly versions: readonly KeptVersionResult[] }>;
}

export interface RollbackResult {
  readonly target: string;
  readonly path: string;
  /** null when the library had no file there. */
  readonly from: FileVersion | null;
  readonly to: FileVersion;
  readonly keptAs?: string;
}

export interface IdentifiedFile {
  readonly target: string;
  readonly path: string;
  readonly bytes: number;
  readonly sha256?: string;
  readonly civitai?: {
    readonly modelId: number | null;
    readonly modelName: string | null;
    readonly versionId: number;
    readonly versionName: string | null;
    readonly baseModel: string | null;
  } | null;
  /** A manifest entry that tracks this file, ready to paste under `models:`. */
  readonly suggestion?: Record<string, unknown>;
  readonly error?: { readonly code: string; readonly message: string };
}

export interface IdentifyResult {
  readonly files: readonly IdentifiedFile[];
}

export type UpdateEvent =
  | { readonly event: 'update.window'; readonly state: 'open' | 'closed'; readonly opensAt: string; readonly closesAt: string }
  /** One entry compared with its hub, by `check` or before a `run` installs: `ok` whether or not a newer version is out. */
  | { readonly event: 'update.checked'; readonly target: string; readonly result: 'ok' | 'error' }
  | { readonly event: 'update.available'; readonly target: string; readonly bytes: number; readonly version: string }
  | { readonly event: 'update.started'; readonly target: string; readonly bytes: number; readonly resumeFrom: number; readonly version: string }
  | {
      readonly event: 'update.progress';
      readonly target: string;
      readonly bytesDone: number;
      readonly bytes: number;
      readonly percent: number;
      readonly bytesPerSecond: number;
    }
  | { readonly event: 'update.paused'; readonly target: string; readonly bytesDone: number; readonly bytes: number }
  | { readonly event: 'update.installed'; readonly target: string; readonly from: string | null; readonly to: string; readonly version: string }
  | { readonly event: 'update.failed'; readonly target: string; readonly code: string; readonly message: string }
  | { readonly event: 'update.rolledback'; readonly target: string; readonly from: string | null; readonly to: string };
