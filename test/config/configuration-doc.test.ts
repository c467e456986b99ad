/**
 * docs/configuration.md is the reference for every key and variable; these
 * tests keep it in step with the schema, so that a key added, renamed or
 * given another default fails here until the doc says so.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { parse } from 'yaml';
import { readVariables } from '../../src/config/environment.js';
import { FORMATS } from '../../src/config/formats.js';
import { PLANNED_KEYS, RESERVED_NAMES } from '../../src/config/reserved-names.js';
import { buildSchema, schemaEntries, type Platform } from '../../src/config/schema.js';

const doc = fs.readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'docs', 'configuration.md'), 'utf8');
/** The prose and tables, without the fenced examples (which show mistakes on purpose). */
const prose = doc.replace(/^```[\s\S]*?^```$/gm, '');

/** Two machines as unlike as can be: a default that differs between them depends on the machine. */
const bare: Platform = { env: {}, home: '/home/a', uid: 1000, cwd: '/', exists: () => false };
const busy: Platform = {
  env: { CACHE_DIRECTORY: '/c', STATE_DIRECTORY: '/s', RUNTIME_DIRECTORY: '/r', XDG_CACHE_HOME: '/x', XDG_STATE_HOME: '/y', XDG_RUNTIME_DIR: '/z' },
  home: '/home/b',
  uid: 2000,
  cwd: '/work',
  exists: () => true,
};
const entries = schemaEntries(buildSchema(bare));
const busyDefaults = new Map(schemaEntries(buildSchema(busy)).map(([key, definition]) => [key, definition.default]));

/** The rows of the key table: | `key` | `VARIABLE` ... | default | format | meaning |. */
const rows = new Map(
  [...doc.matchAll(/^\| `([\w.]+)` \| `(\w+)`[^|]*\| ([^|]*) \|[^|]*\|[^|]*\|$/gm)].map((match) => [
    match[1]!,
    { variable: match[2]!, default: match[3]! },
  ]),
);

test('every key of the schema has a row in docs/configuration.md, with its variable, and every row is a key', (t) => {
  const keys = entries.map(([key]) => key);
  for (const [key, definition] of entries) {
    t.is(rows.get(key)?.variable, definition.env, `docs/configuration.md has no row for ${key} with ${definition.env}`);
  }
  t.deepEqual(
    [...rows.keys()].filter((key) => !(keys as string[]).includes(key)),
    [],
    'rows for keys that do not exist',
  );
});

test("each default the doc shows is the default of the schema, read through the key's format", (t) => {
  for (const [key, definition] of entries) {
    if (JSON.stringify(busyDefaults.get(key)) !== JSON.stringify(definition.default)) continue; // it depends on the machine: told in words
    const written = /^`([^`]*)`$/.exec(rows.get(key)?.default ?? '')?.[1];
    t.not(written, undefined, `the default of ${key} is shown as one value in backticks`);
    t.deepEqual(FORMATS[definition.format].coerce(parse(written ?? '')), definition.default, `the default of ${key}`);
  }
});

test('every dotted key the doc names exists (or is reserved for a coming feature)', (t) => {
  const known = new Set<string>([...entries.map(([key]) => key), ...PLANNED_KEYS]);
  const sections = new Set([...known].map((key) => key.split('.')[0]!));
  const named = [...prose.matchAll(/`([^`\n]+)`/g)].flatMap((span) => [...span[1]!.matchAll(/\b([a-z]+)\.([A-Za-z]+)\b/g)].map((match) => match[0]));
  t.true(named.length > entries.length);
  t.deepEqual(
    named.filter((name) => sections.has(name.split('.')[0]!) && !known.has(name)),
    [],
  );
});

test('every ARENA_ variable the doc names is one arenad accepts, and every reserved name is in it', (t) => {
  const named = new Set(prose.match(/\bARENA_[A-Z0-9_]+/g));
  for (const name of named) {
    const reading = readVariables([{ name, value: '1' }], entries, (variable) => ({ kind: 'env', variable }));
    t.false(
      reading.problems.some((problem) => problem.unknown),
      `${name} is not a variable arenad knows`,
    );
  }
  for (const entry of RESERVED_NAMES) t.true(named.has(entry.variable), `${entry.variable} is not in docs/configuration.md`);
  for (const key of PLANNED_KEYS) t.true(prose.includes(`\`${key}\``), `${key} is not in docs/configuration.md`);
});
