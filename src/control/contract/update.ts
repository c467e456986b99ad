/**
 * The updater's commands (`update.check`, `update.run`, ...), their answers,
 * and the updates section of `status`. `check` and `run` answer
 * `{"entries": [{"target", "status", "error"?}]}`; the other fields are extras
 * (docs/protocol.md). The records of `update.history` are the lines of the
 * updater's history file, so the updater reads that file with this schema too.
 */
import { z } from 'zod';
import { modelKeySchema } from './cache.js';
import type { CommandContract, WireOf } from './wire.js';

const count = z.number().nonnegative();

/** `{code, message}` of an entry that failed; the codes are those of docs/protocol.md. */
const entryError = z.object({ code: z.string(), message: z.string() });

/** A file's content: what a swap replaced, kept or installed. */
export const fileVersion = z.object({ sha256: z.string(), bytes: count });

/** Where an installed version came from. */
const hubSource = z.union([
  z.object({ hub: z.literal('hf'), repo: z.string(), file: z.string(), revision: z.string(), commit: z.string() }),
  z.object({
    hub: z.literal('civitai'),
    modelId: z.number().nullable(),
    versionId: z.number(),
    versionName: z.string().nullable(),
    baseModel: z.string().nullable(),
    file: z.string(),
  }),
]);

/** One install or rollback, as `state.dir/updates.ndjson` keeps it and `update.history` lists it. */
export const historyRecord = z.object({
  at: z.string(),
  action: z.enum(['update', 'rollback']),
  target: z.string(),
  path: z.string(),
  from: fileVersion.nullable(),
  to: fileVersion,
  /** The hub version installed (update) or the hub version of the restored file when known (rollback). */
  source: hubSource.optional(),
  /** Where the replaced file was kept for rollback. */
  keptAs: z.string().nullable(),
  trigger: z.enum(['window', 'manual']),
  /** After a rollback: the sha256 that automatic updates must not install again. */
  hold: z.string().optional(),
});

export const updateEntryResult = z.object({
  target: z.string(),
  status: z.enum(['up-to-date', 'available', 'updated', 'error']),
  error: entryError.optional(),
  /** `hf:acme/toy/toy.safetensors@main`, `civitai:1234 latest`. */
  source: z.string().optional(),
  path: z.string().optional(),
  /** The library file before this command; null when the library does not have it yet. */
  local: fileVersion.nullable().optional(),
  remote: fileVersion.extend({ version: z.string(), label: z.string() }).optional(),
  /** A rollback holds this version back: only `update run TARGET` installs it. */
  held: z.boolean().optional(),
  /** The download stopped with its window; it resumes in the next one. */
  paused: z.object({ bytesDone: count, bytes: count }).optional(),
  /** Where the replaced file was kept (run). */
  keptAs: z.string().optional(),
});

export const updateReport = z.object({ entries: z.array(updateEntryResult) });

/** A window in ISO 8601 times. */
const windowSpan = z.object({ opensAt: z.string(), closesAt: z.string() });

export const updatesStatus = z.object({
  manifest: z.string().nullable(),
  windows: z.string().nullable(),
  tracked: count,
  problems: z.array(z.string()),
  /** Whether each hub's token is set; never the token. */
  credentials: z.object({ hf: z.boolean(), civitai: z.boolean() }),
  windowOpen: z.boolean(),
  /** The window open now, or null. */
  currentWindow: windowSpan.nullable(),
  /** The next window to open, or null when none is set. */
  nextWindow: windowSpan.nullable(),
  running: z.boolean(),
  lastCheck: z.object({ at: z.string(), available: count, errors: count }).nullable(),
  pending: z.array(z.object({ target: z.string(), bytes: count, version: z.string(), held: z.boolean() })),
  downloads: z.array(
    z.object({ target: z.string(), state: z.enum(['downloading', 'paused']), bytesDone: count, bytes: count, percent: count, version: z.string() }),
  ),
  installed: count,
  failed: count,
});

/** `status.updates`: only `manifest` and `windows` until the updater has started (it starts last). */
export const updatesStatusSection = updatesStatus.partial().required({ manifest: true, windows: true });

const keptVersion = z.object({
  sha256: z.string(),
  bytes: count,
  keptAt: z.string(),
  file: z.string(),
  /** The hub version this content was installed from, when the history knows it. */
  version: z.string().optional(),
});

export const historyResult = z.object({
  records: z.array(historyRecord),
  kept: z.array(z.object({ target: z.string(), versions: z.array(keptVersion) })),
});

export const rollbackResult = z.object({
  target: z.string(),
  path: z.string(),
  /** null when the library had no file there. */
  from: fileVersion.nullable(),
  to: fileVersion,
  keptAs: z.string().optional(),
});

export const identifiedFile = z.object({
  target: z.string(),
  path: z.string(),
  bytes: count,
  sha256: z.string().optional(),
  /** What CivitAI knows of the file's sha256; null when it knows nothing. */
  civitai: z
    .object({
      modelId: z.number().nullable(),
      modelName: z.string().nullable(),
      versionId: z.number(),
      versionName: z.string().nullable(),
      baseModel: z.string().nullable(),
    })
    .nullable()
    .optional(),
  /** A manifest entry that tracks this file, ready to paste under `models:`. */
  suggestion: z.record(z.unknown()).optional(),
  error: entryError.optional(),
});

export const identifyResult = z.object({ files: z.array(identifiedFile) });

const targets = z.array(modelKeySchema).max(10_000).default([]);

export const UPDATE_COMMANDS = {
  'update.check': {
    summary: 'Compare each tracked model (or the named ones) with its hub: up-to-date, available (with its size) or error.',
    args: z.object({ targets }).strict(),
    result: updateReport,
  },
  'update.run': {
    summary: 'Download, verify and install available updates now, whatever the update windows say.',
    args: z.object({ targets }).strict(),
    result: updateReport,
  },
  'update.status': {
    summary: 'The update windows, pending updates and the progress of each download.',
    args: z.object({}).strict(),
    result: updatesStatus,
  },
  'update.history': {
    summary: 'What the updater installed and rolled back, and the versions kept for rollback.',
    args: z.object({ target: modelKeySchema.optional() }).strict(),
    result: historyResult,
  },
  'update.identify': {
    summary: 'Hash local models and ask CivitAI what they are; suggests manifest entries.',
    args: z.object({ targets }).strict(),
    result: identifyResult,
  },
  'update.rollback': {
    summary: 'Put a kept version of a model back in place (the newest, or --to VERSION).',
    args: z.object({ target: modelKeySchema, to: z.string().min(1).max(128).optional() }).strict(),
    result: rollbackResult,
  },
} satisfies Record<string, CommandContract<z.ZodTypeAny, z.ZodTypeAny>>;

export type FileVersion = WireOf<typeof fileVersion>;
export type HistoryRecord = z.output<typeof historyRecord>;
export type UpdateEntryResult = WireOf<typeof updateEntryResult>;
export type UpdateReport = WireOf<typeof updateReport>;
export type UpdatesStatus = WireOf<typeof updatesStatus>;
export type PendingUpdate = UpdatesStatus['pending'][number];
export type DownloadState = UpdatesStatus['downloads'][number];
export type HistoryResult = WireOf<typeof historyResult>;
export type KeptVersionResult = HistoryResult['kept'][number]['versions'][number];
export type RollbackResult = WireOf<typeof rollbackResult>;
export type IdentifiedFile = WireOf<typeof identifiedFile>;
export type IdentifyResult = WireOf<typeof identifyResult>;
