import test from 'ava';
import { RESERVED_NAMES } from '../../src/config/reserved-names.js';
import { buildSchema, schemaEntries } from '../../src/config/schema.js';
import { testPlatform } from '../helpers/platform.js';

test('no reserved name is also a key or variable of the schema (remove it from the list once its feature lands)', (t) => {
  const entries = schemaEntries(buildSchema(testPlatform('/home/u')));
  const keys = new Set<string>(entries.map(([key]) => key));
  const variables = new Set(entries.flatMap(([, definition]) => (definition.env ? [definition.env] : [])));
  for (const entry of RESERVED_NAMES) {
    t.false(variables.has(entry.variable), `${entry.variable} is in the schema now`);
    if (entry.kind === 'planned') t.false(keys.has(entry.key), `${entry.key} is in the schema now`);
  }
});
