/**
 * "Did you mean …?" for names people type: config keys, model names in a
 * workflow or on the command line.
 */
import { distance } from 'fastest-levenshtein';

/**
 * The candidate nearest to `word` (case-insensitive edit distance), when it
 * is near enough to be a typo: two edits, or a quarter of the word for long
 * names (`juggernautXL_v8.safetensors` for `…_v9…`), never more.
 */
export function closestMatch(word: string, candidates: Iterable<string>): string | undefined {
  const lowered = word.toLowerCase();
  const limit = Math.max(2, Math.floor(word.length / 4));
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    // Length alone rules most candidates out without computing a distance.
    if (Math.abs(candidate.length - word.length) > limit) continue;
    const d = distance(lowered, candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return bestDistance <= limit ? best : undefined;
}

/** ` (did you mean X?)`, or nothing. */
export function didYouMean(suggestion: string | undefined): string {
  return suggestion === undefined ? '' : ` (did you mean ${suggestion}?)`;
}
