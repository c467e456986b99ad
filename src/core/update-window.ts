/**
 * Update windows as users write them: `Sat 02:00-05:00`, `Mon-Fri 01:00-06:00`,
 * `daily 23:00-01:30` (an end before the start runs past midnight), or a cron
 * expression plus a duration, `0 2 * * 6 3h`. Several windows are separated
 * by commas or semicolons. Cron fields may hold commas themselves (`1,3`),
 * so windows are read one after another by shape instead of split blindly.
 */

export type UpdateWindow =
  { kind: 'weekly'; days: number[]; startMinute: number; endMinute: number } | { kind: 'cron'; expression: string; durationSeconds: number };

export type WindowParse = { ok: true; windows: UpdateWindow[] } | { ok: false; error: string };

const DAY_NAMES = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const DAY_SETS: Readonly<Record<string, number[]>> = {
  daily: [0, 1, 2, 3, 4, 5, 6],
  everyday: [0, 1, 2, 3, 4, 5, 6],
  '*': [0, 1, 2, 3, 4, 5, 6],
  weekdays: [1, 2, 3, 4, 5],
  weekends: [0, 6],
};

const WEEKLY = /^([a-z*]+(?:-[a-z]+)?)\s+(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*(?:[,;]\s*|$)/i;
const CRON_WITH_DURATION = /^((?:\S+\s+){4}\S+)\s+(\d+(?:\.\d+)?)\s*(m|min|h|d)\s*(?:[,;]\s*|$)/i;
const DURATION_SECONDS: Readonly<Record<string, number>> = { m: 60, min: 60, h: 3600, d: 86400 };

function dayIndex(name: string): number | undefined {
  const index = DAY_NAMES.indexOf(name.slice(0, 3).toLowerCase());
  if (index < 0) return undefined;
  // Accept `Sat` and `Saturday`, but not `Satx`.
  const full = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'][index]!;
  return name.length === 3 || full === name.toLowerCase() ? index : undefined;
}

function parseDays(spec: string): number[] | undefined {
  const set = DAY_SETS[spec.toLowerCase()];
  if (set) return set;
  const [first, last] = spec.split('-');
  const start = dayIndex(first ?? '');
  if (start === undefined) return undefined;
  if (last === undefined) return [start];
  const end = dayIndex(last);
  if (end === undefined) return undefined;
  const days: number[] = [];
  for (let day = start; ; day = (day + 1) % 7) {
    days.push(day);
    if (day === end) return days;
  }
}

function minuteOfDay(hours: string, minutes: string): number | undefined {
  const h = Number(hours);
  const m = Number(minutes);
  if (h > 24 || m > 59 || (h === 24 && m !== 0)) return undefined;
  return h * 60 + m;
}

export function parseUpdateWindows(text: string): WindowParse {
  const windows: UpdateWindow[] = [];
  let rest = text.trim();
  while (rest !== '') {
    const weekly = WEEKLY.exec(rest);
    if (weekly) {
      const days = parseDays(weekly[1]!);
      const startMinute = minuteOfDay(weekly[2]!, weekly[3]!);
      const endMinute = minuteOfDay(weekly[4]!, weekly[5]!);
      if (!days) return { ok: false, error: `"${weekly[1]}" is not a day or day range` };
      if (startMinute === undefined || endMinute === undefined) {
        return { ok: false, error: `"${weekly[0].replace(/[,;]\s*$/, '').trim()}" has a time outside 00:00-24:00` };
      }
      if (startMinute === endMinute) return { ok: false, error: 'a window cannot start and end at the same time' };
      windows.push({ kind: 'weekly', days, startMinute, endMinute });
      rest = rest.slice(weekly[0].length);
      continue;
    }
    const cron = CRON_WITH_DURATION.exec(rest);
    if (cron) {
      const durationSeconds = Number(cron[2]) * DURATION_SECONDS[cron[3]!.toLowerCase()]!;
      if (durationSeconds <= 0) return { ok: false, error: 'a window needs a duration above zero' };
      windows.push({ kind: 'cron', expression: cron[1]!, durationSeconds });
      rest = rest.slice(cron[0].length);
      continue;
    }
    return { ok: false, error: `cannot read a window from "${rest}"` };
  }
  return { ok: true, windows };
}
