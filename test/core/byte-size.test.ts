import test from 'ava';
import { formatBytes, parseByteSize } from '../../src/core/byte-size.js';
import { parseDurationSeconds } from '../../src/core/duration.js';

test('byte sizes: decimal and binary units, bare letters decimal, case-insensitive', (t) => {
  t.is(parseByteSize('500GB'), 500e9);
  t.is(parseByteSize('1.5TiB'), 1.5 * 2 ** 40);
  t.is(parseByteSize('64G'), 64e9);
  t.is(parseByteSize('750m'), 750e6);
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
  t.is(formatBytes(999), '999 B');
  t.is(formatBytes(41.2e9), '41.2 GB');
  t.is(formatBytes(640e9), '640 GB');
  t.is(formatBytes(1536), '1.5 kB');
  t.is(formatBytes(22e6), '22.0 MB');
  t.is(formatBytes(-3e9), '-3.0 GB');
});

test('formatBytes: what the user wrote comes back as written', (t) => {
  for (const written of ['64G', '64GB', '5G', '500GB', '2TB']) {
    const shown = formatBytes(parseByteSize(written)!);
    t.is(Number.parseFloat(shown), Number.parseFloat(written), `${written} is shown as ${shown}`);
  }
});

test('formatBytes never shows 1000 of a unit: it moves to the next one', (t) => {
  t.is(formatBytes(999_499), '999 kB');
  t.is(formatBytes(999_999), '1.0 MB');
  t.is(formatBytes(99_960), '100 kB');
  t.is(formatBytes(99_940), '99.9 kB');
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
