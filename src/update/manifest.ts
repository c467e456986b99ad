/**
 * The manifest of tracked models (`updates.manifest`): which library file
 * follows which Hugging Face file or CivitAI model. Each entry is checked on
 * its own, so one mistake is reported with its position and the other
 * entries keep working.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { LineCounter, isSeq, parseDocument } from 'yaml';
import { z } from 'zod';
import { messageOf } from '../core/arena-error.js';
import { canonicalCategory, modelKey } from '../core/categories.js';
import { ManifestError } from './errors.js';

export interface HfSource {
  readonly hub: 'hf';
  readonly repo: string;
  readonly file: string;
  /** A branch, a tag or a commit. */
  readonly revision: string;
}

export interface CivitaiSource {
  readonly hub: 'civitai';
  readonly modelId?: number;
  /** A fixed version; without it the newest version of `modelId` is tracked. */
  readonly versionId?: number;
  /**
   * Narrows `track: latest` to versions of one base model (`SDXL 1.0`), or to
   * the base model of the installed version (`same`).
   */
  readonly baseModel?: string;
}

export type ModelSource = HfSource | CivitaiSource;

export interface ManifestEntry {
  /** `category/name`, normalised as the catalog keys models. */
  readonly target: string;
  readonly category: string;
  readonly name: string;
  /** Only the folders below this root are considered when several roots hold the name. */
  readonly root?: string;
  readonly source: ModelSource;
  /** How many previous versions stay for rollback. */
  readonly keep: number;
  /** 1-based position in the `models` list, and its line in the file. */
  readonly index: number;
  readonly line?: number;
}

export interface ManifestProblem {
  readonly index: number;
  readonly line?: number;
  /** The entry's target when it could be read, for reporting beside the good entries. */
  readonly target?: string;
  readonly message: string;
}

export interface Manifest {
  readonly file: string;
  readonly entries: readonly ManifestEntry[];
  readonly problems: readonly ManifestProblem[];
}

export const DEFAULT_KEEP = 1;

const hfSchema = z
  .object({
    repo: z.string().regex(/^[\w.-]+\/[\w.-]+$/, 'must be owner/name, such as stabilityai/sdxl-vae'),
    file: z
      .string()
      .min(1)
      .refine((file) => !file.split('/').includes('..') && !file.startsWith('/'), 'must be a path inside the repository'),
    revision: z.string().min(1).default('main'),
  })
  .strict();

const positiveId = z.number().int().positive();

const civitaiSchema = z
  .object({
    modelId: positiveId.optional(),
    versionId: positiveId.optional(),
    track: z.enum(['latest']).optional(),
    baseModel: z.string().min(1).optional(),
  })
  .strict()
  .superRefine((source, context) => {
    if (source.versionId === undefined && source.modelId === undefined) {
      context.addIssue({ code: 'custom', message: 'needs modelId (to track the latest version) or versionId (a fixed version)' });
    }
    if (source.versionId !== undefined && source.track !== undefined) {
      context.addIssue({ code: 'custom', message: 'versionId fixes the version; drop track, or drop versionId to track the latest' });
    }
    if (source.versionId !== undefined && source.baseModel !== undefined) {
      context.addIssue({ code: 'custom', message: 'baseModel only narrows track: latest; a fixed versionId has its own' });
    }
  });

const entrySchema = z
  .object({
    target: z.string().min(3),
    root: z
      .string()
      .min(1)
      .refine((root) => path.isAbsolute(root), 'must be an absolute path')
      .optional(),
    hf: hfSchema.optional(),
    civitai: civitaiSchema.optional(),
    keep: z.number().int().min(0).max(100).default(DEFAULT_KEEP),
  })
  .strict()
  .superRefine((entry, context) => {
    if ((entry.hf === undefined) === (entry.civitai === undefined)) {
      context.addIssue({ code: 'custom', message: 'needs exactly one source: hf: {repo, file, revision} or civitai: {modelId | versionId}' });
    }
  });

function describeIssues(error: z.ZodError): string {
  return error.issues.map((issue) => (issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message)).join('; ');
}

/** `checkpoints/x.safetensors` into its parts; undefined when it is no CATEGORY/NAME inside the library. */
function splitTarget(target: string): { category: string; name: string; key: string } | undefined {
  if (path.isAbsolute(target) || /^[A-Za-z]:[\\/]/.test(target)) return undefined;
  const slash = target.replace(/\\/g, '/').indexOf('/');
  if (slash <= 0) return undefined;
  const category = canonicalCategory(target.slice(0, slash));
  if (!/^[\w.-]+$/.test(category) || category.startsWith('.')) return undefined;
  const key = modelKey(category, target.slice(slash + 1));
  if (key === undefined) return undefined;
  return { category, name: key.slice(category.length + 1), key };
}

function toSource(entry: z.infer<typeof entrySchema>): ModelSource {
  if (entry.hf) return { hub: 'hf', repo: entry.hf.repo, file: entry.hf.file, revision: entry.hf.revision };
  const civitai = entry.civitai!;
  return {
    hub: 'civitai',
    ...(civitai.modelId === undefined ? {} : { modelId: civitai.modelId }),
    ...(civitai.versionId === undefined ? {} : { versionId: civitai.versionId }),
    ...(civitai.baseModel === undefined ? {} : { baseModel: civitai.baseModel }),
  };
}

/** Reads a manifest's text; throws ManifestError only when the file as a whole is unusable. */
export function parseManifest(text: string, file: string): Manifest {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false });
  if (document.errors.length > 0) {
    const first = document.errors[0]!;
    const line = lineCounter.linePos(first.pos[0]).line;
    throw new ManifestError(
      `the manifest ${file} is not valid YAML (line ${line}): ${first.message.split('\n')[0]}; fix it and run arenactl update check`,
    );
  }
  const models = document.get('models', true);
  if (text.trim() === '' || models === undefined || models === null) {
    throw new ManifestError(`the manifest ${file} has no "models:" list; see config/manifest.example.yaml`);
  }
  if (!isSeq(models)) throw new ManifestError(`"models" in ${file} must be a list of entries, each with a target and a source`);

  const entries: ManifestEntry[] = [];
  const problems: ManifestProblem[] = [];
  const seen = new Map<string, number>();
  models.items.forEach((node, position) => {
    const index = position + 1;
    const offset = (node as { range?: [number, number, number] } | null)?.range?.[0];
    const line = offset === undefined ? undefined : lineCounter.linePos(offset).line;
    const raw: unknown = (node as { toJSON?: () => unknown } | null)?.toJSON?.() ?? node;
    const rawTarget =
      typeof raw === 'object' && raw !== null && typeof (raw as { target?: unknown }).target === 'string'
        ? (raw as { target: string }).target
        : undefined;
    const problem = (message: string) =>
      problems.push({ index, ...(line === undefined ? {} : { line }), ...(rawTarget === undefined ? {} : { target: rawTarget }), message });
    const parsed = entrySchema.safeParse(raw);
    if (!parsed.success) {
      problem(describeIssues(parsed.error));
      return;
    }
    const target = splitTarget(parsed.data.target);
    if (target === undefined) {
      problem(`target: "${parsed.data.target}" is not CATEGORY/NAME inside the library, such as checkpoints/sdxl.safetensors`);
      return;
    }
    const earlier = seen.get(target.key);
    if (earlier !== undefined) {
      problem(`target: ${target.key} is already tracked by entry ${earlier}; one file can follow only one source`);
      return;
    }
    seen.set(target.key, index);
    entries.push({
      target: target.key,
      category: target.category,
      name: target.name,
      ...(parsed.data.root === undefined ? {} : { root: path.resolve(parsed.data.root) }),
      source: toSource(parsed.data),
      keep: parsed.data.keep,
      index,
      ...(line === undefined ? {} : { line }),
    });
  });
  return { file, entries, problems };
}

export async function readManifest(file: string): Promise<Manifest> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    throw new ManifestError(`cannot read the manifest ${file} (updates.manifest): ${messageOf(error)}`, { cause: error });
  }
  return parseManifest(text, file);
}

/** One line for status and logs: where the problem is and what is wrong. */
export function describeProblem(file: string, problem: ManifestProblem): string {
  const where = `entry ${problem.index}${problem.line === undefined ? '' : ` (line ${problem.line})`}`;
  return `manifest ${file} ${where}${problem.target === undefined ? '' : ` ${problem.target}`}: ${problem.message}`;
}

/** How a source is shown: `hf:acme/toy/toy.safetensors@main`, `civitai:1234 latest`. */
export function describeSource(source: ModelSource): string {
  if (source.hub === 'hf') return `hf:${source.repo}/${source.file}@${source.revision}`;
  if (source.versionId !== undefined) return `civitai:version ${source.versionId}`;
  return `civitai:${source.modelId} latest${source.baseModel === undefined ? '' : ` (${source.baseModel})`}`;
}
