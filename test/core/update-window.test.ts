import test from 'ava';
import { parseUpdateWindows } from '../../src/core/update-window.js';

test('weekly windows: a day, a range that wraps the week, and named sets', (t) => {
  const parsed = parseUpdateWindows('Sat 02:00-05:00, Fri-Mon 23:00-01:30; weekdays 12:00-13:00');
  t.deepEqual(parsed, {
    ok: true,
    windows: [
      { kind: 'weekly', days: [6], startMinute: 120, endMinute: 300 },
      { kind: 'weekly', days: [5, 6, 0, 1], startMinute: 1380, endMinute: 90 },
      { kind: 'weekly', days: [1, 2, 3, 4, 5], startMinute: 720, endMinute: 780 },
    ],
  });
});

test('a cron window keeps the commas inside its fields', (t) => {
  t.deepEqual(parseUpdateWindows('0 2 * * 1,3 3h, Sunday 01:00-02:00'), {
    ok: true,
    windows: [
      { kind: 'cron', expression: '0 2 * * 1,3', durationSeconds: 10800 },
      { kind: 'weekly', days: [0], startMinute: 60, endMinute: 120 },
    ],
  });
});

test('empty text means no windows', (t) => {
  t.deepEqual(parseUpdateWindows(''), { ok: true, windows: [] });
});

test('bad windows say what is wrong', (t) => {
  t.deepEqual(parseUpdateWindows('Satx 02:00-05:00'), { ok: false, error: '"Satx" is not a day or day range' });
  t.deepEqual(parseUpdateWindows('Sat 25:00-26:00'), { ok: false, error: '"Sat 25:00-26:00" has a time outside 00:00-24:00' });
  t.deepEqual(parseUpdateWindows('Sat 02:00-02:00'), { ok: false, error: 'a window cannot start and end at the same time' });
  t.deepEqual(parseUpdateWindows('whenever'), { ok: false, error: 'cannot read a window from "whenever"' });
  t.deepEqual(parseUpdateWindows('0 2 * * 6'), { ok: false, error: 'cannot read a window from "0 2 * * 6"' });
});
