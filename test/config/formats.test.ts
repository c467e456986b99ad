import test from 'ava';
import convict from 'convict';
import { InvalidValue } from '../../src/config/errors.js';
import { FORMATS, parseValue, type FormatName } from '../../src/config/formats.js';
import { buildSchema, GIB, schemaEntries } from '../../src/config/schema.js';
import { testPlatform } from '../helpers/platform.js';

/** Values as people write them, for each format. */
const WRITTEN: Record<FormatName, unknown[]> = {
  'arena-path': ['/srv/models ', ''],
  'arena-path-or-off': ['/var/log/arena.log', 'OFF', ''],
  'arena-path-list': [['/a', '', '/b'], '/a:/b'],
  'arena-url': ['https://hub.example/', 'http://127.0.0.1:8188'],
  'arena-boolean': ['yes', 'Off', 0, true],
  'arena-byte-size': ['500GB', '1.5TiB', 12345, '10.5'],
  'arena-byte-rate': ['100kB/s', 'off', 2e6],
  'arena-size-or-percent': ['5%', '20GB', 7],
  'arena-share': ['90%', 0.5, '1'],
  'arena-duration': ['90s', '5m', 60],
  'arena-concurrency': ['3', 16],
  'arena-poll-mode': ['Always'],
  'arena-verify-mode': ['SHA256'],
  'arena-log-level': ['DEBUG'],
  'arena-category-list': ['LoRA, Checkpoint,clip', ['vae'], 'all'],
  'arena-cron': [' 0 4 * * * ', '0 0 4 * * *'],
  'arena-listen': [9777, '[::1]:9777', 'off'],
  'arena-update-windows': [['Sat 02:00-05:00', 'Mon-Fri 23:00-01:30'], '0 2 * * 6 3h'],
  'arena-group': [1000, 'arena', ''],
};

test("each format takes back what it gives, and the schema's defaults as they are", (t) => {
  // convict coerces text again on every set and validates the finished config through the same formats.
  for (const [name, format] of Object.entries(FORMATS) as Array<[FormatName, (typeof FORMATS)[FormatName]]>) {
    t.true(WRITTEN[name].length > 0, `${name} has examples`);
    for (const written of WRITTEN[name]) {
      const value = format.coerce(written);
      t.deepEqual(format.coerce(value), value, `${name}: ${JSON.stringify(written)}`);
    }
  }
  for (const [key, definition] of schemaEntries(buildSchema(testPlatform('/home/u')))) {
    t.deepEqual(FORMATS[definition.format].coerce(definition.default), definition.default, key);
  }
});

test('convict coerces text through the registered formats and refuses, at validation, a value its format refuses', (t) => {
  const config = convict(
    { quota: { format: 'arena-byte-size', default: 0 }, every: { format: 'arena-duration', default: 60 } },
    { env: {}, args: [] },
  );
  config.set<string>('quota', '64GB');
  config.set<string>('every', '2m');
  t.deepEqual(config.getProperties(), { quota: 64e9, every: 120 });
  t.throws(() => config.set<string>('quota', 'lots'), { instanceOf: InvalidValue });
  config.set('quota', -1);
  t.throws(() => config.validate(), { message: /quota: a size cannot be negative/ });
});

test('where a value was written decides its paths and what a bare legacy size counts in', (t) => {
  const context = { baseDir: '/etc/arena', env: { NAS: '/mnt/nas' }, home: '/home/u' };
  t.is(parseValue('arena-path', 'cache', context), '/etc/arena/cache');
  t.deepEqual(parseValue('arena-path-list', '~/models:$NAS/library', context), ['/home/u/models', '/mnt/nas/library']);
  t.is(parseValue('arena-path-or-off', 'off', context), 'off');
  t.throws(() => parseValue('arena-path', '${NOPE}/x', context), { instanceOf: InvalidValue, message: 'the variable $NOPE is not set' });
  t.is(parseValue('arena-byte-size', '64', { ...context, unit: GIB }), 64 * GIB);
  t.is(parseValue('arena-byte-size', '64GB', { ...context, unit: GIB }), 64e9);
  t.is(parseValue('arena-size-or-percent', '5%', { ...context, unit: GIB }), '5%');
});
