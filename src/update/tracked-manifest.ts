/**
 * The manifest as the updater holds it between commands: read afresh before
 * each command (edits need no reload), its mistakes kept as problems for
 * status (each logged once, when it appears), and the entries a command
 * names picked out of it.
 */
import { messageOf } from '../core/arena-error.js';
import { modelKey, parseModelKey } from '../core/categories.js';
import type { Logger } from '../log/logger.js';
import { NoManifestError, NotTrackedError, TargetError } from './errors.js';
import { describeProblem, readManifest, type Manifest, type ManifestEntry } from './manifest.js';
import type { UpdateEntryResult } from '../control/contract/update.js';

/** `checkpoints/x.safetensors` as typed, in the manifest's normalised form. */
function keyOf(text: string): string | undefined {
  const parsed = parseModelKey(text);
  return parsed === undefined ? undefined : modelKey(parsed.category, parsed.name);
}

/** A target named on the command line, normalised; E_TARGET when it is not CATEGORY/NAME. */
export function targetKey(text: string): string {
  const key = keyOf(text);
  if (key === undefined) throw new TargetError(`"${text}" is not CATEGORY/NAME inside the library, such as loras/style.safetensors`);
  return key;
}

/** The category and name of a normalised target key. */
export function splitTarget(key: string): { category: string; name: string } {
  const slash = key.indexOf('/');
  return { category: key.slice(0, slash), name: key.slice(slash + 1) };
}

export class TrackedManifest {
  readonly #logger: Logger;
  readonly #onProblems: () => void;
  #manifest: Manifest | undefined;
  #error: string | undefined;
  #problems: readonly string[] = [];

  /** `onProblems` hears of each change of the problems. */
  constructor(logger: Logger, onProblems: () => void) {
    this.#logger = logger;
    this.#onProblems = onProblems;
  }

  /** The well-formed entries; none while no manifest can be read. */
  get entries(): readonly ManifestEntry[] {
    return this.#manifest?.entries ?? [];
  }

  /** The manifest's mistakes: the file's own, or each malformed entry's. */
  get problems(): readonly string[] {
    return this.#problems;
  }

  find(target: string): ManifestEntry | undefined {
    return this.entries.find((entry) => entry.target === target);
  }

  /** Reads `file` ('' for none); a file that cannot be read is a problem, not an error. */
  async load(file: string): Promise<void> {
    try {
      this.#manifest = file === '' ? undefined : await readManifest(file);
      this.#error = undefined;
    } catch (error) {
      this.#manifest = undefined;
      this.#error = messageOf(error);
    }
    const manifest = this.#manifest;
    const problems = [
      ...(this.#error === undefined ? [] : [this.#error]),
      ...(manifest?.problems.map((problem) => describeProblem(manifest.file, problem)) ?? []),
    ];
    if (JSON.stringify(problems) === JSON.stringify(this.#problems)) return;
    for (const problem of problems.filter((line) => !this.#problems.includes(line))) this.#logger.warn(problem);
    this.#problems = problems;
    this.#onProblems();
  }

  /**
   * The entries a command covers, read afresh from `file`, and an error
   * result for each malformed entry among them.
   */
  async select(file: string, targets: readonly string[]): Promise<{ entries: ManifestEntry[]; results: UpdateEntryResult[] }> {
    await this.load(file);
    if (file === '') {
      throw new NoManifestError('no models are tracked: set updates.manifest (ARENA_UPDATES_MANIFEST) to a YAML manifest; see docs/updates.md');
    }
    const manifest = this.#manifest;
    if (manifest === undefined) throw new NoManifestError(this.#error ?? `cannot read the manifest ${file}`);
    const broken = manifest.problems.map((problem) => ({
      key: problem.target === undefined ? undefined : keyOf(problem.target),
      result: {
        target: problem.target ?? `entry ${problem.index}`,
        status: 'error' as const,
        error: { code: 'E_MANIFEST', message: describeProblem(manifest.file, problem) },
      },
    }));
    if (targets.length === 0) return { entries: [...manifest.entries], results: broken.map((item) => item.result) };
    const entries: ManifestEntry[] = [];
    const results: UpdateEntryResult[] = [];
    for (const text of targets) {
      const key = targetKey(text);
      const entry = manifest.entries.find((candidate) => candidate.target === key);
      const problem = broken.find((item) => item.key === key);
      if (entry !== undefined) entries.push(entry);
      else if (problem !== undefined) results.push(problem.result);
      else throw new NotTrackedError(`${key} is not in the manifest ${manifest.file}; add an entry for it (arenactl update identify suggests one)`);
    }
    return { entries, results };
  }

  /** Results in the order of the manifest's entries, malformed ones included. */
  inManifestOrder(results: readonly UpdateEntryResult[]): UpdateEntryResult[] {
    const position = new Map<string, number>();
    for (const entry of this.entries) position.set(entry.target, entry.index);
    for (const problem of this.#manifest?.problems ?? []) position.set(problem.target ?? `entry ${problem.index}`, problem.index);
    return [...results].sort((a, b) => (position.get(a.target) ?? 0) - (position.get(b.target) ?? 0));
  }
}
