/**
 * Byte sizes as people write them in config: `500GB`, `1.5TiB`, `64G`, or a
 * plain number of bytes. Decimal units (kB, MB, GB, TB) are powers of 1000 and
 * binary units (KiB, MiB, GiB, TiB) powers of 1024; a bare letter (K, M, G, T)
 * is binary, as in systemd and coreutils.
 */

const UNIT_FACTORS: Readonly<Record<string, number>> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  pb: 1e15,
  k: 2 ** 10,
  m: 2 ** 20,
  g: 2 ** 30,
  t: 2 ** 40,
  p: 2 ** 50,
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

/** `41.2 GB`: decimal units, as disk vendors and `df -H` print them. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(value >= 100 ? 0 : 1)} ${units[unit]}`;
}
