/** `1 model`, `3 models`, `2 copies`: a count with its noun in the right number. */
export function counted(count: number, singular: string, plural = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : plural}`;
}

/**
 * `0.4 s`, `41 s`, `3 min 5 s`, `2 h 13 min`, `3 d 4 h`: a span of time with
 * its units spelled out, for ETAs and elapsed times that people read in
 * passing. Under ten seconds a fraction is kept, so a quick copy does not
 * read as taking no time.
 */
export function formatSpan(totalSeconds: number): string {
  const seconds = Math.max(0, totalSeconds);
  if (seconds < 10 && !Number.isInteger(seconds)) return `${seconds.toFixed(1)} s`;
  const whole = Math.round(seconds);
  if (whole < 60) return `${whole} s`;
  const units: Array<[string, number]> = [
    ['d', 86_400],
    ['h', 3_600],
    ['min', 60],
    ['s', 1],
  ];
  const first = units.findIndex(([, size]) => whole >= size);
  const [bigName, bigSize] = units[first]!;
  const [smallName, smallSize] = units[first + 1]!;
  const big = Math.floor(whole / bigSize);
  const small = Math.floor((whole % bigSize) / smallSize);
  return small === 0 ? `${big} ${bigName}` : `${big} ${bigName} ${small} ${smallName}`;
}
