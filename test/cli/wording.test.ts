import test from 'ava';
import { counted, formatSpan } from '../../src/cli/wording.js';

test('counted: the noun agrees with the count', (t) => {
  t.is(counted(1, 'model'), '1 model');
  t.is(counted(0, 'model'), '0 models');
  t.is(counted(3, 'entry', 'entries'), '3 entries');
  t.is(counted(1, 'entry', 'entries'), '1 entry');
});

test('formatSpan: every amount carries its unit, spelled out', (t) => {
  t.is(formatSpan(0), '0 s');
  t.is(formatSpan(0.43), '0.4 s');
  t.is(formatSpan(12), '12 s');
  t.is(formatSpan(41.4), '41 s');
  t.is(formatSpan(180), '3 min');
  t.is(formatSpan(185), '3 min 5 s');
  t.is(formatSpan(2 * 3600 + 13 * 60 + 9), '2 h 13 min');
  t.is(formatSpan(3 * 86_400 + 4 * 3600), '3 d 4 h');
  t.is(formatSpan(-5), '0 s', 'a clock that went backwards is no negative time');
});
