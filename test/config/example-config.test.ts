import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { parse } from 'yaml';
import { EnvFileCache } from '../../src/config/env-file.js';
import { loadConfig } from '../../src/config/load-config.js';
import { buildSchema, schemaEntries } from '../../src/config/schema.js';
import { tempDir } from '../helpers/temp-dir.js';
import { testPlatform } from '../helpers/platform.js';

const example = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'config', 'arena.example.yaml');

test('the example config passes config check (unknown keys are errors)', async (t) => {
  const home = await tempDir(t);
  const loaded = loadConfig({ platform: testPlatform(home), configFile: example, envFileCache: new EnvFileCache() });
  t.is(loaded.config.cache.trimSchedule, '0 4 * * *');
  t.is(loaded.config.cache.root, path.join(home, '.cache', 'arena'), 'machine-dependent keys are left to their defaults');
});

test('the example config names every key of the schema, and each with its environment variable', async (t) => {
  const home = await tempDir(t);
  const text = fs.readFileSync(example, 'utf8');
  // A key may be commented out (its default depends on the machine); it must still be shown in its section.
  const document = parse(text.replace(/^(\s+)# (\w+:)/gm, '$1$2')) as Record<string, Record<string, unknown>>;
  for (const [key, definition] of schemaEntries(buildSchema(testPlatform(home)))) {
    const [section, name] = key.split('.') as [string, string];
    t.true(document[section] !== undefined && name in document[section], `${key} is missing from config/arena.example.yaml`);
    if (definition.env) t.true(text.includes(`(${definition.env}`), `${definition.env} is not mentioned beside ${key}`);
  }
});
