/**
 * The model library on the wire: resolving a workflow's references against
 * the daemon's catalog, and the library section of `status`. arenactl parses
 * workflow files itself and sends what it found; the daemon never opens a
 * path that a request names.
 */
import { z } from 'zod';
import type { CommandContract, WireOf } from './wire.js';

const presence = z.enum(['ok', 'missing']);
const count = z.number().nonnegative();

/** A model reference found in a workflow, as arenactl's parser reports it. */
const modelRef = z
  .object({
    /** Null when the workflow does not say it: a custom loader without `properties.models[].directory`. */
    category: z.string().max(256).nullable(),
    /** Exactly as written in the workflow, backslashes kept. */
    name: z.string().min(1).max(4096),
    nodeId: z.string().max(1024),
    nodeType: z.string().max(1024),
    input: z.string().max(1024).optional(),
    via: z.enum(['loader', 'embedding', 'taesd', 'custom']),
  })
  .strict();

const parsedWorkflow = z
  .object({
    format: z.enum(['ui', 'api']),
    container: z.enum(['json', 'png', 'webp']),
    refs: z.array(modelRef).max(20_000),
    /** References of muted or bypassed nodes. */
    inactive: z.array(modelRef).max(20_000),
    warnings: z.array(z.string().max(4096)).max(1000),
  })
  .strict();

/** A reference with the file ComfyUI would load: `path`, `key` and `bytes` only when it resolved. */
const resolvedRef = modelRef.extend({
  path: z.string().optional(),
  key: z.string().optional(),
  bytes: count.optional(),
});

const unresolvedRef = modelRef.extend({
  reason: z.enum(['not-found', 'ambiguous-category', 'invalid-name']),
  /** One line: what is missing, where it is used, and what to do. */
  message: z.string(),
  /** For an ambiguous category: the keys of the files the name could mean. */
  candidates: z.array(z.string()).optional(),
  /** For a name not found: the key of a library file with a near name. */
  suggestion: z.string().optional(),
});

export const resolutionResult = z.object({
  refs: z.array(resolvedRef),
  inactive: z.array(resolvedRef),
  /** The active references that did not resolve. */
  unresolved: z.array(unresolvedRef),
});

/** `status.library`. */
export const libraryStatus = z.object({
  folders: z.array(
    z.object({
      category: z.string(),
      dir: z.string(),
      origin: z.string(),
      state: presence,
      mode: z.enum(['watch', 'poll']),
      fsType: z.string(),
      models: count,
      bytes: count,
    }),
  ),
  /** A root (`<comfy>/models`, `library.roots`) or a folder `extra_model_paths.yaml` names on its own, once each. */
  roots: z.array(
    z.object({
      /** Where the configuration names it: `models`, `library.roots[0]`, `extra_model_paths.yaml#section:category`. */
      name: z.string(),
      dir: z.string(),
      state: presence,
    }),
  ),
  models: count,
  bytes: count,
  /** Files kept in the catalog while their folder is unreachable. */
  unavailableModels: count,
});

export const LIBRARY_COMMANDS = {
  resolve: {
    summary: "Resolve a parsed workflow's model references against the library catalog.",
    args: z.object({ workflow: parsedWorkflow }).strict(),
    result: resolutionResult,
  },
} satisfies Record<string, CommandContract<z.ZodTypeAny, z.ZodTypeAny>>;

export type ResolutionResult = WireOf<typeof resolutionResult>;
export type PredictRef = ResolutionResult['refs'][number];
export type LibraryStatus = WireOf<typeof libraryStatus>;
