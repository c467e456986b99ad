import { describeSource, locationOf, type Assignment, type ConfigProblem, type ConfigSource, type SourceReading } from './sources.js';
import { GIB, type ConfigKey, type KeyDefinition } from './schema.js';
import { booleanFormat } from './formats.js';
import { plannedMessage, RESERVED_NAMES, reservedVariable } from './reserved-names.js';
import { closestMatch, didYouMean } from '../core/did-you-mean.js';

/**
 * Turns `ARENA_*` variables, from the environment or from the legacy env file,
 * into assignments. Besides each key's own variable, this knows every
 * variable the old in-process AutoCache nodes read, so their users' settings
 * keep working unchanged.
 */

/** Variables of the old nodes that map onto a key of the daemon. */
const LEGACY_ALIASES: ReadonlyArray<{ variable: string; key: ConfigKey; unit?: number }> = [
  { variable: 'ARENA_CACHE_MIN_SIZE_GB', key: 'cache.minFileBytes', unit: GIB },
  { variable: 'ARENA_NAS_ROOT', key: 'library.roots' },
  { variable: 'ARENA_CACHE_MAX_CONCURRENCY', key: 'prefetch.concurrency' },
];

/**
 * Variables of the old nodes that steered their in-process patching: the daemon has nothing to map
 * them to. ARENA_AUTO_CACHE_ENABLED is among them although it once meant "copy": it is how users turn
 * the old nodes off (=0), and that must not turn Arena off too; Arena's switch is ARENA_CACHE_ENABLE.
 */
const LEGACY_WITHOUT_MEANING = new Set([
  'ARENA_AUTO_CACHE_ENABLED',
  'ARENA_AUTOCACHE_AUTOPATCH',
  'ARENA_AUTOCACHE_AUTOPATCH_TIMEOUT_S',
  'ARENA_AUTOCACHE_AUTOPATCH_POLL_MS',
  'ARENA_CACHE_MODE',
  'ARENA_CACHE_DISCOVERY',
  'ARENA_CACHE_PREFETCH_STRATEGY',
]);

/** The old nodes' category switch and verbose flag, read beside the keys they steer. */
const LEGACY_MODIFIERS = ['ARENA_CACHE_CATEGORIES_MODE', 'ARENA_CACHE_VERBOSE'];

/**
 * The categories the old nodes cached by default. `ARENA_CACHE_CATEGORIES_MODE=extend`
 * meant "these plus the ones I list", so it still does.
 */
export const LEGACY_DEFAULT_CATEGORIES = [
  'checkpoints',
  'loras',
  'clip',
  'vae',
  'controlnet',
  'upscale_models',
  'embeddings',
  'hypernetworks',
  'gguf_models',
  'unet_models',
  'diffusion_models',
] as const;

export interface VariableReading extends SourceReading {
  /** Legacy variables that were recognised and deliberately not used. */
  readonly ignored: string[];
  /** The variables that set or steered a value, in the order read. */
  readonly used: string[];
}

/** `cache.maxBytes` as someone guessing its variable would write it: `ARENA_CACHE_MAX_BYTES`. */
function guessedVariable(configKey: ConfigKey): string {
  return `ARENA_${configKey.replace(/([a-z])([A-Z])/g, '$1_$2').replace('.', '_').toUpperCase()}`;
}

/**
 * Every spelling a variable might be meant as, with the variable to suggest:
 * each known name as itself, and each key spelled as a variable
 * (`ARENA_CACHE_MAX_BYTES`) pointing at the key's real variable (`ARENA_CACHE_MAX_GB`).
 */
function suggestionTable(schema: ReadonlyArray<[ConfigKey, KeyDefinition<unknown>]>): Map<string, string> {
  const table = new Map<string, string>();
  for (const [configKey, definition] of schema) {
    if (!definition.env) continue;
    table.set(definition.env, definition.env);
    table.set(guessedVariable(configKey), definition.env);
  }
  for (const name of [...LEGACY_ALIASES.map((alias) => alias.variable), ...LEGACY_MODIFIERS, ...LEGACY_WITHOUT_MEANING, ...RESERVED_NAMES.map((entry) => entry.variable)]) {
    table.set(name, name);
  }
  return table;
}

function unknownVariable(name: string, source: ConfigSource, table: ReadonlyMap<string, string>): ConfigProblem {
  const nearest = closestMatch(name, table.keys());
  return {
    severity: 'warning',
    unknown: true,
    source,
    message: `unknown variable ${name} ${locationOf(source)}${didYouMean(nearest === undefined ? undefined : table.get(nearest))}`,
  };
}

export function readVariables(
  variables: ReadonlyArray<{ name: string; value: string; line?: number }>,
  schema: ReadonlyArray<[ConfigKey, KeyDefinition<unknown>]>,
  sourceOf: (variable: string, line?: number) => ConfigSource,
): VariableReading {
  const assignments: Assignment[] = [];
  const problems: ConfigProblem[] = [];
  const ignored: string[] = [];
  const used: string[] = [];
  const byVariable = new Map(schema.filter(([, d]) => d.env).map(([key, d]) => [d.env!, { key, unit: d.envUnit }]));
  const value = (name: string) => variables.find((v) => v.name === name);

  // Legacy aliases go first so that a current variable in the same place wins.
  const ordered = [...variables].sort((a, b) => Number(byVariable.has(a.name)) - Number(byVariable.has(b.name)));
  let roots: { raw: string[]; source: ConfigSource } | undefined;

  for (const variable of ordered) {
    const { name, line } = variable;
    // An empty value is unset, as shells and env files leave a variable they clear.
    if (!name.startsWith('ARENA_') || variable.value.trim() === '') continue;
    const source = sourceOf(name, line);
    const current = byVariable.get(name);
    const alias = LEGACY_ALIASES.find((entry) => entry.variable === name);
    const target = current ?? alias;
    const reserved = target ? undefined : reservedVariable(name);
    if (target || LEGACY_MODIFIERS.includes(name)) used.push(name);

    if (reserved?.kind === 'planned') {
      problems.push({ severity: 'warning', source, message: plannedMessage(reserved, name, locationOf(source)) });
    } else if (reserved) {
      continue;
    } else if (target?.key === 'library.roots') {
      // ARENA_LIBRARY_ROOTS and the old ARENA_NAS_ROOT add up rather than replace each other.
      const parts = variable.value.split(':').filter((part) => part.trim() !== '');
      roots = { raw: [...(roots?.raw ?? []), ...parts], source };
    } else if (target?.key === 'cache.categories') {
      const mode = value('ARENA_CACHE_CATEGORIES_MODE')?.value.trim().toLowerCase();
      const listed = variable.value;
      const raw = mode === 'extend' ? [...LEGACY_DEFAULT_CATEGORIES, ...listed.split(',')].join(',') : listed;
      assignments.push({ key: 'cache.categories', raw, source });
    } else if (target) {
      assignments.push({ key: target.key, raw: variable.value, source, ...(target.unit ? { unit: target.unit } : {}) });
    } else if (name === 'ARENA_CACHE_CATEGORIES_MODE') {
      const mode = variable.value.trim().toLowerCase();
      if (mode !== 'extend' && mode !== 'override') {
        problems.push({
          severity: 'error',
          key: 'cache.categories',
          source,
          message: `ARENA_CACHE_CATEGORIES_MODE = "${variable.value}" (from ${describeSource(source)}): expected extend or override`,
        });
      }
    } else if (name === 'ARENA_CACHE_VERBOSE') {
      // The old nodes' verbose switch is the daemon's debug level.
      let verbose = false;
      try {
        verbose = booleanFormat.parse(variable.value, { baseDir: '/', env: {}, home: '/' });
      } catch {
        problems.push({
          severity: 'error',
          key: 'log.level',
          source,
          message: `ARENA_CACHE_VERBOSE = "${variable.value}" (from ${describeSource(source)}): expected ${booleanFormat.expected}`,
        });
      }
      if (verbose) assignments.push({ key: 'log.level', raw: 'debug', source });
    } else if (LEGACY_WITHOUT_MEANING.has(name)) {
      ignored.push(name);
    } else {
      problems.push(unknownVariable(name, source, suggestionTable(schema)));
    }
  }
  if (roots) assignments.push({ key: 'library.roots', raw: roots.raw, source: roots.source });
  return { assignments, problems, ignored, used };
}

