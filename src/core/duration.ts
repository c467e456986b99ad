/** Durations in config: a number of seconds, or `500ms`, `30s`, `5m`, `2h`, `1d`. */

const DURATION_FACTORS_SECONDS: Readonly<Record<string, number>> = {
  ms: 0.001,
  s: 1,
  sec: 1,
  m: 60,
  min: 60,
  h: 3600,
  d: 86400,
};

const DURATION_PATTERN = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i;

/** Parses a duration to seconds; undefined when the text is not one. */
export function parseDurationSeconds(text: string): number | undefined {
  const match = DURATION_PATTERN.exec(text.trim());
  if (!match) return undefined;
  const factor = DURATION_FACTORS_SECONDS[(match[2] ?? '').toLowerCase() || 's'];
  return factor === undefined ? undefined : Number(match[1]) * factor;
}

/** `3d 4h`, `2h 13m`, `5m 2s`, `42s`: the two largest units, for uptimes and ETAs. */
export function formatDuration(totalSeconds: number): string {
  const seconds = Math.max(0, Math.round(totalSeconds));
  const units: Array<[string, number]> = [
    ['d', 86400],
    ['h', 3600],
    ['m', 60],
    ['s', 1],
  ];
  const parts: string[] = [];
  let rest = seconds;
  for (const [name, size] of units) {
    const count = Math.floor(rest / size);
    rest -= count * size;
    if (count > 0 || (parts.length > 0 && parts.length < 2)) parts.push(`${count}${name}`);
    if (parts.length === 2) break;
  }
  return parts.length === 0 ? '0s' : parts.join(' ');
}
