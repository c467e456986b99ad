/**
 * Doctor: ComfyUI finds the cache only through extra_model_paths.yaml, as a
 * section with `is_default: true` whose folders lie under the cache root,
 * and only if that puts the cache first in each category's lookup list. Any
 * section name will do (`arenactl comfy link` writes `arena_cache`).
 */
import fs from 'node:fs';
import path from 'node:path';
import { readExtraModelPaths, type ExtraPathEntry } from '../library/extra-model-paths.js';
import { collectModelFolders } from '../library/model-folders.js';
import { isWithin } from '../library/paths.js';
import { fail, pass, warn, type CheckResult } from './check.js';

const ID = 'comfy-paths';
const RESTART = 'then restart ComfyUI, which reads the file only at start';

export interface ComfyPathsInput {
  readonly comfyRoot: string;
  readonly cacheRoot: string;
  readonly env: NodeJS.ProcessEnv;
  readonly home: string;
}

/** The cache root as written and with symlinks resolved, so a section naming either spelling counts. */
function spellings(dir: string): string[] {
  const resolved = path.resolve(dir);
  try {
    const real = fs.realpathSync(resolved);
    return real === resolved ? [resolved] : [resolved, real];
  } catch {
    return [resolved];
  }
}

function underCache(dir: string, cacheRoots: readonly string[]): boolean {
  return spellings(dir).some((spelling) => cacheRoots.some((root) => isWithin(spelling, root)));
}

function sectionsOf(entries: readonly ExtraPathEntry[]): string {
  return [...new Set(entries.map((entry) => `'${entry.section}'`))].join(', ');
}

export async function checkComfyPaths(input: ComfyPathsInput): Promise<CheckResult> {
  if (!input.comfyRoot) {
    return warn(
      ID,
      'no ComfyUI install is configured, so there is no extra_model_paths.yaml to check',
      'set comfy.root (ARENA_COMFY_ROOT) to your ComfyUI folder',
    );
  }
  const file = path.join(input.comfyRoot, 'extra_model_paths.yaml');
  const link = `arenactl comfy link registers the cache ${input.cacheRoot} as a section with is_default: true; ${RESTART}`;
  if (!fs.existsSync(file)) return fail(ID, `${file} does not exist, so ComfyUI never looks in the cache`, link);

  const expansion = { env: input.env, homeDir: input.home };
  const parsed = await readExtraModelPaths(file, { ...expansion, required: true });
  if (parsed.problems.length > 0) {
    return fail(ID, `${file} has mistakes ComfyUI would trip on: ${parsed.problems.slice(0, 3).join('; ')}`, `correct them, ${RESTART}`);
  }
  const cacheRoots = spellings(input.cacheRoot);
  const cacheEntries = parsed.entries.filter((entry) => underCache(entry.dir, cacheRoots));
  if (cacheEntries.length === 0)
    return fail(ID, `${file} does not register the cache ${input.cacheRoot}, so ComfyUI loads every model from the library`, link);
  const notDefault = cacheEntries.filter((entry) => !entry.isDefault);
  if (notDefault.length > 0) {
    return fail(
      ID,
      `the cache is registered in section ${sectionsOf(notDefault)} of ${file} without is_default: true, so ComfyUI looks in the library first`,
      `add is_default: true to that section (arenactl comfy link does), ${RESTART}`,
    );
  }

  // ComfyUI's own lookup order: a later is_default section goes in front of an earlier one.
  const { folders } = await collectModelFolders({ comfyRoot: input.comfyRoot, libraryRoots: [], exclude: [], ...expansion });
  const cacheCategories = new Set(cacheEntries.map((entry) => entry.category));
  const behind: string[] = [];
  for (const category of cacheCategories) {
    const first = folders.find((folder) => folder.category === category);
    if (first && !underCache(first.dir, cacheRoots)) behind.push(`${category} (${first.dir} comes first)`);
  }
  if (behind.length > 0) {
    return fail(
      ID,
      `in ${file} the cache is not first for ${behind.join(', ')}`,
      `another section with is_default: true comes after the cache's; remove is_default from the library sections, or move the cache's section last; ${RESTART}`,
    );
  }
  return pass(ID, `${file} puts the cache first for ${cacheCategories.size} categories (section ${sectionsOf(cacheEntries)})`);
}
