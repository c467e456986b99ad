import { distance } from 'fastest-levenshtein';

/**
 * The known name nearest to a mistyped one, or undefined when none is near
 * enough to be worth offering. Case is ignored: `maxbytes` means `maxBytes`.
 * "Near enough" grows with the name, a quarter of its length but at least two
 * edits, so a long variable with a missing underscore still finds its match
 * while a short unrelated word does not.
 */
export function nearestName(name: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const d = distance(name.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return bestDistance <= Math.max(2, Math.floor(name.length / 4)) ? best : undefined;
}

/** ` (did you mean X?)`, or nothing. */
export function didYouMean(suggestion: string | undefined): string {
  return suggestion === undefined ? '' : ` (did you mean ${suggestion}?)`;
}
