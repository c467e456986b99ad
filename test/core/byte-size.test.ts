import test from 'ava';
import { formatBytes, parseByteSize } from '../../src/core/byte-size.js';
import { parseDurationSeconds } from '../../src/core/duration.js';

test('byte sizes: decimal and binary units, bare letters binary, case-insensitive', (t) => {
  t.is(parseByteSize('500GB'), 500e9);
  t.is(parseByteSize('1.5TiB'), 1.5 * 2 ** 40);
  t.is(parseByteSize('64G'), 64 * 2 ** 30);
  t.is(parseByteSize('10 mib'), 10 * 2 ** 20);
  t.is(parseByteSize('1073741824'), 2 ** 30);
  t.is(parseByteSize('2kB'), 2000);
  t.is(parseByteSize('-1GB'), -1e9, 'the sign is kept so that the caller can name a negative size');
});

test('byte sizes: anything else is not a size', (t) => {
  for (const text of ['', 'GB', 'ten GB', '5 XB', '1.2.3GB', '5GBs']) t.is(parseByteSize(text), undefined, text);
});

test('formatBytes prints decimal units', (t) => {
  t.is(formatBytes(0), '0 B');
  t.is(formatBytes(41.2e9), '41.2 GB');
  t.is(formatBytes(640e9), '640 GB');
  t.is(formatBytes(1536), '1.5 kB');
});

test('durations: seconds by default, and ms, s, m, h, d', (t) => {
  t.is(parseDurationSeconds('60'), 60);
  t.is(parseDurationSeconds('90s'), 90);
  t.is(parseDurationSeconds('5m'), 300);
  t.is(parseDurationSeconds('2h'), 7200);
  t.is(parseDurationSeconds('1d'), 86400);
  t.is(parseDurationSeconds('500ms'), 0.5);
  t.is(parseDurationSeconds('5 fortnights'), undefined);
  t.is(parseDurationSeconds('-5s'), undefined);
});
