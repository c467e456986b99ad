import test from 'ava';
import { nextWindow, windowAt } from '../../src/update/window-calendar.js';
import { at, windows } from '../helpers/update-windows.js';

test('a weekly window is open between its times on its days, and the next one is a week on', (t) => {
  const sat = windows('Sat 02:00-05:00');
  t.is(windowAt(sat, at(3, 12)), undefined);
  t.deepEqual(nextWindow(sat, at(3, 12)), { opensAt: at(4, 2), closesAt: at(4, 5) });
  t.deepEqual(windowAt(sat, at(4, 2)), { opensAt: at(4, 2), closesAt: at(4, 5) }, 'open from its first minute');
  t.deepEqual(windowAt(sat, at(4, 4, 59)), { opensAt: at(4, 2), closesAt: at(4, 5) });
  t.is(windowAt(sat, at(4, 5)), undefined, 'closed at its end');
  t.deepEqual(nextWindow(sat, at(4, 3)), { opensAt: at(11, 2), closesAt: at(11, 5) });
});

test('a window whose end is before its start runs past midnight and belongs to the day it starts', (t) => {
  const nightly = windows('Mon-Fri 23:00-01:30');
  // 2025-01-06 is a Monday.
  t.deepEqual(windowAt(nightly, at(7, 0, 30)), { opensAt: at(6, 23), closesAt: at(7, 1, 30) });
  // Friday night's window runs into Saturday; none opens on Saturday night.
  t.deepEqual(windowAt(nightly, at(11, 1)), { opensAt: at(10, 23), closesAt: at(11, 1, 30) });
  t.deepEqual(nextWindow(nightly, at(11, 1)), { opensAt: at(13, 23), closesAt: at(14, 1, 30) });
});

test('a cron window opens at each match and lasts its duration', (t) => {
  const cron = windows('0 2 * * 6 3h');
  t.deepEqual(nextWindow(cron, at(3, 12)), { opensAt: at(4, 2), closesAt: at(4, 5) });
  t.deepEqual(windowAt(cron, at(4, 4)), { opensAt: at(4, 2), closesAt: at(4, 5) });
  t.is(windowAt(cron, at(4, 5, 1)), undefined);
  const everyFourHours = windows('0 */4 * * * 30m');
  t.deepEqual(nextWindow(everyFourHours, at(4, 4, 10)), { opensAt: at(4, 8), closesAt: at(4, 8, 30) });
});

test('overlapping windows count as one that closes with the last of them', (t) => {
  const both = windows('Sat 02:00-05:00, 0 4 * * 6 2h');
  t.deepEqual(windowAt(both, at(4, 4, 30)), { opensAt: at(4, 4), closesAt: at(4, 6) });
  t.deepEqual(windowAt(both, at(4, 5, 30)), { opensAt: at(4, 4), closesAt: at(4, 6) });
  t.deepEqual(nextWindow(both, at(3, 0)), { opensAt: at(4, 2), closesAt: at(4, 5) }, 'the next is the first to open');
});

test('no windows means none is ever open', (t) => {
  t.is(windowAt([], at(4, 3)), undefined);
  t.is(nextWindow([], at(4, 3)), undefined);
});
