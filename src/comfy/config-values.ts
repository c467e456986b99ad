import type { KeyDefinition } from '../config/schema.js';

const BINARY_UNITS: ReadonlyArray<[string, number]> = [
  ['TiB', 2 ** 40],
  ['GiB', 2 ** 30],
  ['MiB', 2 ** 20],
  ['KiB', 2 ** 10],
];

/** `100GiB` rather than 107374182400: the legacy sizes were whole binary units, and stay readable that way. */
export function readableSize(bytes: number): string | number {
  if (bytes === 0) return 0;
  for (const [unit, factor] of BINARY_UNITS) {
    if (bytes % factor === 0) return `${bytes / factor}${unit}`;
  }
  return bytes;
}

/** A parsed value in the form it is written to the config file, which parses back to the same value. */
export function configFileValue(definition: KeyDefinition<unknown>, value: unknown): unknown {
  const sized = definition.format === 'arena-byte-size' || definition.format === 'arena-size-or-percent';
  if (sized && typeof value === 'number') return readableSize(value);
  return value;
}
