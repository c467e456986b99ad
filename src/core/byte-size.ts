/**
 * Byte sizes as people write them in config: `500GB`, `1.5TiB`, `64G`, or a
 * plain number of bytes. Arena counts in decimal units, as disks, model hubs
 * and its own output do: kB, MB, GB, TB and the bare letters K, M, G, T are
 * powers of 1000, so that `64G` comes back as `64.0 GB` wherever a size is
 * shown. The binary units KiB, MiB, GiB, TiB (powers of 1024) are taken as
 * written and shown converted (`64GiB` is `68.7 GB`).
 */

const UNIT_FACTORS: Readonly<Record<string, number>> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  pb: 1e15,
  k: 1e3,
  m: 1e6,
  g: 1e9,
  t: 1e12,
  p: 1e15,
  kib: 2 ** 10,
  mib: 2 ** 20,
  gib: 2 ** 30,
  tib: 2 ** 40,
  pib: 2 ** 50,
};

const SIZE_PATTERN = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?)\s*([a-z]*)$/i;

/** Parses a size; returns undefined when the text is not one (the caller words the error). */
export function parseByteSize(text: string): number | undefined {
  const match = SIZE_PATTERN.exec(text.trim());
  if (!match) return undefined;
  const factor = UNIT_FACTORS[(match[2] ?? '').toLowerCase() || 'b'];
  if (factor === undefined) return undefined;
  return Math.floor(Number(match[1]) * factor);
}

const DISPLAY_UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];

/**
 * `41.2 GB`, `22.0 MB`, `640 GB`: decimal units, as disk vendors and `df -H`
 * print them, with one decimal under 100 so that small amounts keep their
 * digits. An amount that would round to 1000 is shown in the next unit
 * (`1.0 MB`, never `1000 kB`).
 */
export function formatBytes(bytes: number): string {
  const sign = bytes < 0 ? '-' : '';
  let value = Math.abs(bytes);
  let unit = 0;
  while (value >= 999.5 && unit < DISPLAY_UNITS.length - 1) {
    value /= 1000;
    unit += 1;
  }
  if (unit === 0) return `${sign}${Math.round(value)} B`;
  return `${sign}${value.toFixed(value >= 99.95 ? 0 : 1)} ${DISPLAY_UNITS[unit]}`;
}
