import { formatBytes } from '../core/byte-size.js';
import { describeSource, type Assignment, type ConfigProblem } from './sources.js';

/**
 * Values that are valid yet almost surely a slip of the unit. They are
 * warnings, never fatal: an odd but deliberate value must still run.
 */

/**
 * A non-zero quota below this is taken for a unit mistake. The smallest model
 * worth copying to an SSD, an SD 1.5 checkpoint, is about 2 GB (SDXL about
 * 7 GB, Flux 12–24 GB); what is smaller (LoRAs, embeddings) loads quickly
 * from a NAS anyway. So a quota under 1 GB holds nothing the cache is for,
 * and such a figure is nearly always a number of gigabytes written without
 * its unit (`maxBytes: 500`, which YAML reads as 500 bytes) or MB for GB.
 */
export const SMALLEST_SENSIBLE_QUOTA = 1e9;

/** The number as the user wrote it, with whether it had a unit; undefined for anything else. */
function writtenNumber(raw: unknown): { value: number; bare: boolean } | undefined {
  if (typeof raw === 'number') return { value: raw, bare: true };
  if (typeof raw !== 'string') return undefined;
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(raw);
  return match ? { value: Number(match[1]), bare: match[2] === '' } : undefined;
}

/** A warning for `cache.maxBytes` when it is non-zero and below SMALLEST_SENSIBLE_QUOTA. */
export function quotaWarning(assignment: Assignment, bytes: number): ConfigProblem | undefined {
  if (bytes === 0 || bytes >= SMALLEST_SENSIBLE_QUOTA) return undefined;
  const written = writtenNumber(assignment.raw);
  // A legacy _GB variable already counts in GiB: there the figure itself is off, not its unit.
  const why = assignment.unit !== undefined ? ' (this variable counts in GiB)' : written?.bare ? ' (a bare number counts in bytes)' : '';
  const meant = written !== undefined && written.value >= 1 && assignment.unit === undefined ? `did you mean ${written.value}GB? ` : '';
  return {
    severity: 'warning',
    key: assignment.key,
    source: assignment.source,
    message:
      `${assignment.key} = ${JSON.stringify(assignment.raw)} (from ${describeSource(assignment.source)}): ` +
      `a quota of ${formatBytes(bytes)} cannot hold a single checkpoint${why}; ${meant}(0 means no quota)`,
  };
}
