/**
 * The one list of `ARENA_*` names (and config keys) that are not settings of
 * this version yet must never be refused as typos. An unknown name stops the
 * daemon, so every name the product or its deployments legitimately use has
 * to be either a schema key, a legacy AutoCache variable (environment.ts), or
 * listed here.
 *
 * Once a planned feature lands in the schema, its entry here is dead weight:
 * remove it (a unit test fails while a name is both).
 */

export type ReservedName =
  /** Read by the product, but not as a configuration value. */
  | { readonly variable: string; readonly kind: 'not-a-setting'; readonly why: string }
  /** A secret of a planned feature: accepted silently, never echoed anywhere. */
  | { readonly variable: string; readonly kind: 'secret'; readonly why: string }
  /** A key kept for a feature this version does not have yet (docs/configuration.md): accepted, with a warning that it does nothing. */
  | { readonly variable: string; readonly kind: 'planned'; readonly key: string };

export const RESERVED_NAMES: readonly ReservedName[] = [
  { variable: 'ARENA_CONFIG', kind: 'not-a-setting', why: 'names the config file itself' },
  { variable: 'ARENA_FARM_TOKEN', kind: 'secret', why: "the farm peers' shared token" },
  { variable: 'ARENA_UI_TOKEN', kind: 'secret', why: "the status page's token" },
  { variable: 'ARENA_PREFETCH_BANDWIDTH', kind: 'planned', key: 'prefetch.bandwidth' },
  { variable: 'ARENA_FARM_REDIS', kind: 'planned', key: 'farm.redis' },
  { variable: 'ARENA_FARM_NAME', kind: 'planned', key: 'farm.name' },
  { variable: 'ARENA_FARM_POOL', kind: 'planned', key: 'farm.pool' },
  { variable: 'ARENA_FARM_NAS_COPIES', kind: 'planned', key: 'farm.nasCopies' },
  { variable: 'ARENA_FARM_LISTEN', kind: 'planned', key: 'farm.listen' },
  { variable: 'ARENA_FARM_POOL_PREFETCH', kind: 'planned', key: 'farm.poolPrefetch' },
  { variable: 'ARENA_UI_LISTEN', kind: 'planned', key: 'ui.listen' },
];

export type PlannedName = Extract<ReservedName, { kind: 'planned' }>;

const PLANNED = RESERVED_NAMES.filter((entry): entry is PlannedName => entry.kind === 'planned');
export const PLANNED_KEYS = PLANNED.map((entry) => entry.key);

export function reservedVariable(name: string): ReservedName | undefined {
  return RESERVED_NAMES.find((entry) => entry.variable === name);
}

/** A planned key in a config file (`farm.redis`), if it is one. */
export function plannedKey(key: string): PlannedName | undefined {
  return PLANNED.find((entry) => entry.key === key);
}

/** What a planned name is told: it is accepted, and does nothing in this version. `where`: "in the environment". */
export function plannedMessage(entry: PlannedName, name: string, where: string): string {
  const key = name === entry.key ? '' : ` (${entry.key})`;
  return `${name} ${where}${key} is reserved for a feature not in this version of arenad; it is ignored`;
}
