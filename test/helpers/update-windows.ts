/** Update windows for the window tests: parsed as the configuration parses them, at times in the local zone they are written in. */
import { parseUpdateWindows, type UpdateWindow } from '../../src/core/update-window.js';

/** `updates.windows` text, parsed; a typo in a test throws. */
export function windows(text: string): UpdateWindow[] {
  const parsed = parseUpdateWindows(text);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.windows;
}

/** A local time in January 2025, as windows are written: 2025-01-04 is a Saturday. */
export function at(day: number, hours: number, minutes = 0): number {
  return new Date(2025, 0, day, hours, minutes).getTime();
}
