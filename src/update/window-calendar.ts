/**
 * When update windows are open, in local time: the window around a moment,
 * and the next one to open. Weekly windows are computed from their days and
 * minutes (a window whose end is before its start runs past midnight and
 * belongs to the day it starts); cron windows open at each match of their
 * expression and last their duration.
 */
import cronParser from 'cron-parser';
import type { UpdateWindow } from '../core/update-window.js';

export interface WindowSpan {
  /** Epoch milliseconds. */
  readonly opensAt: number;
  readonly closesAt: number;
}

const MINUTES_PER_DAY = 24 * 60;

/** The day's windows of a weekly rule, from midnight of `day` (local). */
function weeklySpan(window: Extract<UpdateWindow, { kind: 'weekly' }>, day: Date): WindowSpan | undefined {
  if (!window.days.includes(day.getDay())) return undefined;
  const opens = new Date(day.getFullYear(), day.getMonth(), day.getDate(), 0, window.startMinute);
  const crossesMidnight = window.endMinute <= window.startMinute;
  const closes = new Date(day.getFullYear(), day.getMonth(), day.getDate() + (crossesMidnight ? 1 : 0), 0, window.endMinute);
  return { opensAt: opens.getTime(), closesAt: closes.getTime() };
}

/** The spans of the window that open in [from, to), at most `limit` of them. */
function spansBetween(window: UpdateWindow, from: number, to: number, limit = Infinity): WindowSpan[] {
  const spans: WindowSpan[] = [];
  if (window.kind === 'weekly') {
    const start = new Date(from);
    for (let offset = 0; spans.length < limit; offset += 1) {
      const day = new Date(start.getFullYear(), start.getMonth(), start.getDate() + offset);
      if (day.getTime() >= to) break;
      const span = weeklySpan(window, day);
      if (span !== undefined && span.opensAt >= from && span.opensAt < to) spans.push(span);
    }
    return spans;
  }
  const durationMs = window.durationSeconds * 1000;
  // cron-parser's next() is strictly after currentDate; start a millisecond early to include `from`.
  const iterator = cronParser.parseExpression(window.expression, { currentDate: new Date(from - 1), endDate: new Date(to) });
  while (spans.length < limit && iterator.hasNext()) {
    const opensAt = iterator.next().getTime();
    if (opensAt >= to) break;
    spans.push({ opensAt, closesAt: opensAt + durationMs });
  }
  return spans;
}

/** The longest a window of this rule stays open, with an hour to spare for a daylight-saving shift. */
function lengthOf(window: UpdateWindow): number {
  if (window.kind === 'cron') return window.durationSeconds * 1000;
  const minutes =
    window.endMinute > window.startMinute ? window.endMinute - window.startMinute : window.endMinute + MINUTES_PER_DAY - window.startMinute;
  return minutes * 60_000 + 3_600_000;
}

/** The open window around `now` (the one closing last when several overlap), or undefined. */
export function windowAt(windows: readonly UpdateWindow[], now: number): WindowSpan | undefined {
  let found: WindowSpan | undefined;
  for (const window of windows) {
    // A window open now opened at most its length ago.
    for (const span of spansBetween(window, now - lengthOf(window), now + 1)) {
      if (span.opensAt <= now && now < span.closesAt && (found === undefined || span.closesAt > found.closesAt)) found = span;
    }
  }
  return found;
}

/** The first window to open after `now`, within a year, or undefined when none does. */
export function nextWindow(windows: readonly UpdateWindow[], now: number): WindowSpan | undefined {
  let found: WindowSpan | undefined;
  for (const window of windows) {
    // Weekly windows open within eight days; a cron one may be rarer.
    const horizon = window.kind === 'weekly' ? 8 * 86_400_000 : 366 * 86_400_000;
    const [first] = spansBetween(window, now + 1, now + horizon, 1);
    if (first !== undefined && (found === undefined || first.opensAt < found.opensAt)) found = first;
  }
  return found;
}
