import { describeSource, locationOf, type Assignment, type ConfigProblem, type ConfigSource, type SourceReading } from './sources.js';
import type { ParsedEnvFile } from './env-file.js';
import { GIB, type ConfigKey, type KeyDefinition } from './schema.js';
import { FORMATS } from './formats.js';
import { plannedMessage, RESERVED_NAMES, reservedVariable } from './reserved-names.js';
import { closestMatch, didYouMean } from '../core/did-you-mean.js';

/**
 * Turns `ARENA_*` variables, from the environment or from the legacy env file,
 * into assignments. Each key's own variable is the `env` of its schema entry;
 * besides those, this knows every variable the old in-process AutoCache nodes
 * read, so their users' settings keep working unchanged.
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
const LEGACY_DEFAULT_CATEGORIES =
  'checkpoints,loras,clip,vae,controlnet,upscale_models,embeddings,hypernetworks,gguf_models,unet_models,diffusion_models';

export interface VariableReading extends SourceReading {
  /** Legacy variables that were recognised and deliberately not used. */
  readonly ignored: string[];
  /** The variables that set or steered a value, in the order read. */
  readonly used: string[];
}

type Schema = ReadonlyArray<[ConfigKey, KeyDefinition<unknown>]>;

/**
 * Every spelling a variable might be meant as, with the variable to suggest:
 * each known name as itself, and each key spelled as a variable
 * (`ARENA_CACHE_MAX_BYTES`) pointing at the key's real variable (`ARENA_CACHE_MAX_GB`).
 */
function suggestionTable(schema: Schema): Map<string, string> {
  const table = new Map<string, string>();
  for (const [configKey, { env }] of schema) {
    table.set(env, env);
    table.set(
      `ARENA_${configKey
        .replace(/([a-z])([A-Z])/g, '$1_$2')
        .replace('.', '_')
        .toUpperCase()}`,
      env,
    );
  }
  const known = [
    ...LEGACY_ALIASES.map((alias) => alias.variable),
    ...LEGACY_MODIFIERS,
    ...LEGACY_WITHOUT_MEANING,
    ...RESERVED_NAMES.map((entry) => entry.variable),
  ];
  for (const name of known) table.set(name, name);
  return table;
}

function unknownVariable(name: string, source: ConfigSource, schema: Schema): ConfigProblem {
  const table = suggestionTable(schema);
  const nearest = closestMatch(name, table.keys());
  const message = `unknown variable ${name} ${locationOf(source)}${didYouMean(nearest === undefined ? undefined : table.get(nearest))}`;
  return { severity: 'warning', unknown: true, source, message };
}

/** A legacy modifier whose value does not fit, worded as a bad value is. */
function badModifier(name: string, value: string, key: ConfigKey, source: ConfigSource, expected: string): ConfigProblem {
  return { severity: 'error', key, source, message: `${name} = "${value}" (from ${describeSource(source)}): expected ${expected}` };
}

export function readVariables(
  variables: ReadonlyArray<{ name: string; value: string; line?: number }>,
  schema: Schema,
  sourceOf: (variable: string, line?: number) => ConfigSource,
): VariableReading {
  const assignments: Assignment[] = [];
  const problems: ConfigProblem[] = [];
  const ignored: string[] = [];
  const used: string[] = [];
  const byVariable = new Map(schema.map(([key, definition]) => [definition.env, { key, unit: definition.envUnit }]));
  const categoriesMode = variables
    .find((variable) => variable.name === 'ARENA_CACHE_CATEGORIES_MODE')
    ?.value.trim()
    .toLowerCase();

  // Legacy aliases go first so that a current variable in the same place wins.
  const ordered = [...variables].sort((a, b) => Number(byVariable.has(a.name)) - Number(byVariable.has(b.name)));
  let roots: { raw: string[]; source: ConfigSource } | undefined;

  for (const { name, value, line } of ordered) {
    // An empty value is unset, as shells and env files leave a variable they clear.
    if (!name.startsWith('ARENA_') || value.trim() === '') continue;
    const source = sourceOf(name, line);
    const target = byVariable.get(name) ?? LEGACY_ALIASES.find((entry) => entry.variable === name);
    const reserved = target ? undefined : reservedVariable(name);
    if (target || LEGACY_MODIFIERS.includes(name)) used.push(name);

    if (reserved?.kind === 'planned') {
      problems.push({ severity: 'warning', source, message: plannedMessage(reserved, name, locationOf(source)) });
    } else if (reserved) {
      continue;
    } else if (target?.key === 'library.roots') {
      // ARENA_LIBRARY_ROOTS and the old ARENA_NAS_ROOT add up rather than replace each other.
      roots = { raw: [...(roots?.raw ?? []), ...value.split(':').filter((part) => part.trim() !== '')], source };
    } else if (target?.key === 'cache.categories') {
      assignments.push({ key: target.key, raw: categoriesMode === 'extend' ? `${LEGACY_DEFAULT_CATEGORIES},${value}` : value, source });
    } else if (target) {
      assignments.push({ key: target.key, raw: value, source, ...(target.unit ? { unit: target.unit } : {}) });
    } else if (name === 'ARENA_CACHE_CATEGORIES_MODE') {
      const mode = value.trim().toLowerCase();
      if (mode !== 'extend' && mode !== 'override') problems.push(badModifier(name, value, 'cache.categories', source, 'extend or override'));
    } else if (name === 'ARENA_CACHE_VERBOSE') {
      // The old nodes' verbose switch is the daemon's debug level.
      const format = FORMATS['arena-boolean'];
      let verbose = false;
      try {
        verbose = format.coerce(value);
      } catch {
        problems.push(badModifier(name, value, 'log.level', source, format.expected));
      }
      if (verbose) assignments.push({ key: 'log.level', raw: 'debug', source });
    } else if (LEGACY_WITHOUT_MEANING.has(name)) {
      ignored.push(name);
    } else {
      problems.push(unknownVariable(name, source, schema));
    }
  }
  if (roots) assignments.push({ key: 'library.roots', raw: roots.raw, source: roots.source });
  return { assignments, problems, ignored, used };
}

/** The legacy env file as a source: its malformed lines are warnings, and it cannot move comfy.root, since it lives inside it. */
export function readEnvFileVariables(parsed: ParsedEnvFile, schema: Schema): VariableReading {
  const { file } = parsed;
  const reading = readVariables(parsed.entries, schema, (variable, line) => ({ kind: 'env-file', file, line: line ?? 0, variable }));
  const problems: ConfigProblem[] = parsed.problems.map(({ line, message }) => ({
    severity: 'warning',
    source: { kind: 'env-file', file, line, variable: '' },
    message,
  }));
  problems.push(...reading.problems);
  const assignments = reading.assignments.filter((assignment) => {
    if (assignment.key !== 'comfy.root') return true;
    const message = `${describeSource(assignment.source)}: ARENA_COMFY_ROOT is ignored in the env file, which itself lives inside comfy.root`;
    problems.push({ severity: 'warning', key: 'comfy.root', source: assignment.source, message });
    return false;
  });
  return { ...reading, assignments, problems };
}
