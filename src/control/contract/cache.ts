/**
 * The SSD cache's commands: what is cached and why (ls, stats), asking for
 * models (prefetch, pin), letting them go (unpin, evict, trim), and the cache
 * and prefetch sections of `status`.
 */
import { z } from 'zod';
import { PRIORITIES } from '../../core/admission.js';
import { WANTED_REASONS } from './events.js';
import type { CommandContract, WireOf } from './wire.js';

/** A model as a request names it; checkModelName confines it to the library before any service sees it. */
export const modelSchema = z.object({ category: z.string().min(1).max(256), name: z.string().min(1).max(4096) }).strict();

/** `CATEGORY/NAME` as typed on the command line; splitModelKey confines it like modelSchema. */
export const modelKeySchema = z.string().min(3).max(4352);

/** Why a requested model is not (and will not be) copied. */
export const SKIP_REASONS = ['disabled', 'category', 'too-small', 'too-large', 'not-found', 'invalid-name'] as const;

const noArgs = z.object({}).strict();
const count = z.number().nonnegative();

/** The answer to one model of a prefetch or pin. */
export const prefetchOutcome = z.object({
  category: z.string(),
  name: z.string(),
  key: z.string().optional(),
  /** `wanted`: not in the library yet (reason `missing`) or still being written (`settling`); copied once it lands. */
  status: z.enum(['queued', 'copying', 'cached', 'skipped', 'wanted']),
  bytes: count.optional(),
  reason: z.enum([...SKIP_REASONS, ...WANTED_REASONS]).optional(),
  message: z.string().optional(),
});

/** A model asked for before its file was in the library, as `status` lists it. */
export const wantedModel = z.object({
  /** null when the workflow does not say it (a custom loader); the catalog decides once the file lands. */
  category: z.string().nullable(),
  name: z.string(),
  /** ms since epoch when it was first wanted. */
  since: z.number(),
  reason: z.enum(WANTED_REASONS),
  /** Who wants it: `workflow user/default/workflows/x.json saved`, `prompt <id> queued`, `arenactl prefetch`. */
  origin: z.string(),
  priority: z.enum(PRIORITIES),
  /** Pinned once it is cached. */
  pin: z.boolean(),
});

/** One row of `ls`: a cached model, or one being copied or queued. */
export const lsEntry = z.object({
  category: z.string(),
  name: z.string(),
  key: z.string(),
  /** null for a queued model whose library file is not in the catalog (any more). */
  bytes: count.nullable(),
  state: z.enum(['cached', 'copying', 'queued']),
  pinned: z.boolean(),
  lastUsed: z.number().nullable(),
  hits: count,
  /** Cached entries: ms since epoch when the copy landed. */
  cachedAt: z.number().optional(),
  /** Cached entries: value per byte of SSD; null for a pinned entry (worth any other). */
  value: z.number().nullable().optional(),
  /** Why it is kept ("pinned", "used 14× this week, 30× in all"), or why it is queued. */
  reason: z.string().optional(),
  /** Copies and queued models: who asked, and how urgently. */
  priority: z.enum(PRIORITIES).optional(),
  origin: z.string().optional(),
  bytesCopied: count.optional(),
  /** Why a queued copy does not start yet (no room, its folder unreachable). */
  waiting: z.string().optional(),
});

const cacheTotals = z.object({ bytes: count, files: count, maxBytes: count, freeBytes: count });
const prefetchTotals = z.object({ queued: count, active: count, completed: count, failed: count, bytesCopied: count });

export const statsResult = z.object({
  hits: count,
  misses: count,
  hitRatio: z.number().min(0).max(1),
  cache: cacheTotals,
  prefetch: prefetchTotals,
  evictions: count,
});

/** `status.cache`. The sizes are absent while the cache has not started, or cannot (cache.root unusable). */
export const cacheStatus = cacheTotals.partial().extend({
  enabled: z.boolean(),
  root: z.string(),
  maxBytes: count,
  totalBytes: count.optional(),
  minFreeBytes: count.optional(),
});

/** `status.prefetch`. Like the cache section, only the settings while the cache has not started. */
export const prefetchStatus = prefetchTotals.partial().extend({
  concurrency: z.number().int().positive(),
  verify: z.enum(['size', 'sha256']),
  copying: z.array(z.object({ key: z.string(), bytes: count, bytesCopied: count })).optional(),
  waiting: z.array(z.object({ key: z.string(), reason: z.string() })).optional(),
});

export const trimResult = z.object({
  /** What went (or, with dryRun, would go), least valuable first. */
  evicted: z.array(z.object({ category: z.string(), name: z.string(), bytes: count, reason: z.string() })),
  freedBytes: count,
  targetBytes: count,
  dryRun: z.boolean(),
});

const oneModel = z.object({ key: modelKeySchema }).strict();

export const CACHE_COMMANDS = {
  prefetch: {
    summary:
      'Copy models to the SSD now; each model gets an outcome (queued, copying, cached, wanted until its file lands, skipped with the reason).',
    args: z
      .object({
        models: z.array(modelSchema).min(1).max(10_000),
        priority: z.enum(PRIORITIES).default('urgent'),
        origin: z.string().max(1024).default('arenactl prefetch'),
        /** A workflow's models: those not in the library yet are wanted until they arrive. */
        wantMissing: z.boolean().default(false),
      })
      .strict(),
    result: z.object({ outcomes: z.array(prefetchOutcome) }),
  },
  pin: {
    summary: 'Keep a model on the SSD: never evicted; copied now if it is not there, or once it lands.',
    args: oneModel,
    result: prefetchOutcome,
  },
  unpin: {
    summary: 'Let a pinned model be evicted again.',
    args: oneModel,
    result: z.object({ key: z.string(), pinned: z.literal(false) }),
  },
  evict: {
    summary: 'Remove a model from the SSD now; ComfyUI falls back to the NAS file. A pinned model needs force.',
    args: z.object({ key: modelKeySchema, force: z.boolean().default(false) }).strict(),
    result: z.object({ key: z.string(), bytes: count }),
  },
  ls: {
    summary: 'The cached, copying and queued models.',
    args: noArgs,
    result: z.object({ entries: z.array(lsEntry) }),
  },
  stats: {
    summary: 'Hits, misses, cache use and prefetch counters.',
    args: noArgs,
    result: statsResult,
  },
  trim: {
    summary: 'Remove the least valuable models from the SSD now (or, with dryRun, list them), down to toBytes or the low-water mark.',
    args: z.object({ dryRun: z.boolean().default(false), toBytes: z.number().int().nonnegative().optional() }).strict(),
    result: trimResult,
  },
} satisfies Record<string, CommandContract<z.ZodTypeAny, z.ZodTypeAny>>;

export type PrefetchOutcome = WireOf<typeof prefetchOutcome>;
export type SkipReason = (typeof SKIP_REASONS)[number];
export type WantedModelStatus = WireOf<typeof wantedModel>;
export type LsEntry = WireOf<typeof lsEntry>;
export type StatsResult = WireOf<typeof statsResult>;
export type TrimResult = WireOf<typeof trimResult>;
