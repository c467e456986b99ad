/**
 * Secret redaction, applied by the logger itself and by every place that
 * turns errors or status into text, so that no caller has to remember it.
 * Tokens are registered once when credentials are loaded; anything that later
 * contains one prints `[REDACTED]` instead.
 */

const REDACTED = '[REDACTED]';

/** Keys whose values are secrets whatever they hold. */
const SECRET_KEY = /(token|authorization|password|passwd|secret|api[-_]?key|cookie)/i;

/** A secret shorter than this is too likely to match ordinary text. */
const MIN_SECRET_LENGTH = 6;

const secrets = new Set<string>();

export function registerSecret(value: string | undefined): void {
  const trimmed = value?.trim();
  if (trimmed && trimmed.length >= MIN_SECRET_LENGTH) secrets.add(trimmed);
}

/** For tests: forget every registered secret. */
export function clearSecrets(): void {
  secrets.clear();
}

/** Replaces registered secrets, bearer credentials and `token=` query values in text. */
export function redactText(text: string): string {
  let result = text;
  for (const secret of secrets) {
    if (result.includes(secret)) result = result.split(secret).join(REDACTED);
  }
  return result
    .replace(/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/g, `$1 ${REDACTED}`)
    .replace(/([?&](?:token|access_token|api_key|apikey)=)[^&\s"']+/gi, `$1${REDACTED}`);
}

/** A deep copy of a value with secret-named keys blanked and secret text redacted. */
export function redactValue(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactText(value);
  if (value === null || typeof value !== 'object' || depth > 8) return value;
  if (value instanceof Error) return value;
  if (Array.isArray(value)) return value.map((item) => redactValue(item, depth + 1));
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    copy[key] = SECRET_KEY.test(key) && item !== undefined && item !== null ? REDACTED : redactValue(item, depth + 1);
  }
  return copy;
}

/**
 * A value as it would cross the wire (JSON.stringify's view of it: toJSON
 * applied, undefined dropped), with registered secrets, bearer credentials
 * and `token=` query values redacted in every string, object keys included.
 * The shape stays: no field is dropped or blanked for its name, so a reply
 * or an event keeps its contract. Meant for whatever leaves the daemon.
 */
export function redactJson<T>(value: T): T {
  const wire = JSON.stringify(value);
  if (wire === undefined) return value;
  return JSON.parse(wire, (_key, item: unknown) => {
    if (typeof item === 'string') return redactText(item);
    if (item === null || typeof item !== 'object' || Array.isArray(item)) return item;
    // The reviver runs from the leaves up: only this object's own keys are left to redact.
    const entries = Object.entries(item);
    if (entries.every(([key]) => redactText(key) === key)) return item;
    return Object.fromEntries(entries.map(([key, inner]) => [redactText(key), inner]));
  }) as T;
}
