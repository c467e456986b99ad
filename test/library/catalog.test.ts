import test from 'ava';
import { Catalog } from '../../src/library/catalog.js';
import type { ModelFolder } from '../../src/library/model-folders.js';
import type { ScannedModel } from '../../src/library/scan.js';
import { describeEntry, folder } from '../helpers/library-files.js';

const textEncoders = folder('text_encoders', '/c/models/text_encoders', 'models');
const clip = folder('text_encoders', '/c/models/clip', 'models');
const nasEncoders = folder('text_encoders', '/nas/text_encoders', 'library.roots');
const loras = folder('loras', '/c/models/loras', 'models');

function model(where: ModelFolder, name: string, size = 100, mtimeMs = 1000): ScannedModel {
  return { category: where.category, name, folder: where.dir, path: `${where.dir}/${name}`, size, mtimeMs };
}

function record(catalog: Catalog): string[] {
  const log: string[] = [];
  catalog.on('added', (entry) => log.push(`added ${entry.path}`));
  catalog.on('changed', (entry, previous) => log.push(`changed ${entry.path} ${previous.size}->${entry.size}`));
  catalog.on('removed', (entry) => log.push(`removed ${entry.path}`));
  catalog.on('unavailable', (where, count) => log.push(`unavailable ${where.dir} ${count}`));
  catalog.on('available', (where, count) => log.push(`available ${where.dir} ${count}`));
  return log;
}

test('the first folder in lookup order wins, and the next one takes over when it goes', (t) => {
  const catalog = new Catalog([textEncoders, clip]);
  catalog.upsert(model(clip, 't5xxl.safetensors', 2));
  t.is(catalog.lookup('text_encoders', 't5xxl.safetensors')?.folder, clip.dir);
  catalog.upsert(model(textEncoders, 't5xxl.safetensors', 1));
  t.is(catalog.lookup('text_encoders', 't5xxl.safetensors')?.folder, textEncoders.dir, 'an earlier folder shadows a later one');
  catalog.remove(textEncoders, 't5xxl.safetensors');
  t.is(catalog.lookup('text_encoders', 't5xxl.safetensors')?.folder, clip.dir);
});

test('lookup normalises names and categories as ComfyUI matches them', (t) => {
  const catalog = new Catalog([textEncoders, loras]);
  catalog.upsert(model(loras, 'SD 1.5/juggernaut.safetensors'));
  catalog.upsert(model(textEncoders, 'clip_l.safetensors'));
  t.is(catalog.lookup('loras', 'SD 1.5\\juggernaut.safetensors')?.name, 'SD 1.5/juggernaut.safetensors');
  t.is(catalog.lookup('loras', '/SD 1.5//juggernaut.safetensors')?.name, 'SD 1.5/juggernaut.safetensors');
  t.is(catalog.lookup('clip', 'clip_l.safetensors')?.category, 'text_encoders', 'the legacy alias finds text_encoders');
  t.is(catalog.lookup('loras', '../loras/SD 1.5/juggernaut.safetensors'), undefined);
  t.is(catalog.lookup('vae', 'clip_l.safetensors'), undefined);
});

test('events are emitted once per real change, and not for a file seen again unchanged', (t) => {
  const catalog = new Catalog([loras]);
  const log = record(catalog);
  t.is(catalog.upsert(model(loras, 'a.safetensors', 10, 1)), 'added');
  t.is(catalog.upsert(model(loras, 'a.safetensors', 10, 1)), 'unchanged');
  t.is(catalog.upsert(model(loras, 'a.safetensors', 11, 1)), 'changed');
  t.is(catalog.upsert(model(loras, 'a.safetensors', 11, 2)), 'changed');
  t.is(catalog.remove(loras, 'a.safetensors')?.size, 11);
  t.is(catalog.remove(loras, 'a.safetensors'), undefined);
  t.deepEqual(log, [
    'added /c/models/loras/a.safetensors',
    'changed /c/models/loras/a.safetensors 10->11',
    'changed /c/models/loras/a.safetensors 11->11',
    'removed /c/models/loras/a.safetensors',
  ]);
});

test('a model of a folder the catalog does not hold is ignored', (t) => {
  const catalog = new Catalog([loras]);
  const log = record(catalog);
  t.is(catalog.upsert(model(clip, 'x.safetensors')), 'ignored');
  t.deepEqual(log, []);
  t.is([...catalog.entries()].length, 0);
});

test('an unavailable folder keeps its models, flagged, and lookup prefers a reachable copy', (t) => {
  const catalog = new Catalog([nasEncoders, clip]);
  catalog.upsert(model(nasEncoders, 't5.safetensors', 5));
  catalog.upsert(model(nasEncoders, 'only-on-nas.safetensors', 6));
  catalog.upsert(model(clip, 't5.safetensors', 7));
  const log = record(catalog);
  catalog.setAvailable(nasEncoders, false);
  catalog.setAvailable(nasEncoders, false);
  t.deepEqual(log, ['unavailable /nas/text_encoders 2']);
  t.is(catalog.lookup('text_encoders', 't5.safetensors')?.folder, clip.dir);
  t.like(catalog.lookup('text_encoders', 'only-on-nas.safetensors'), { available: false, size: 6 });
  t.is(catalog.counts().unavailableModels, 2);
  catalog.setAvailable(nasEncoders, true);
  t.like(catalog.lookup('text_encoders', 't5.safetensors'), { folder: nasEncoders.dir, available: true });
  t.deepEqual(log, ['unavailable /nas/text_encoders 2', 'available /nas/text_encoders 2']);
  t.is(catalog.counts().unavailableModels, 0);
});

test('a new folder list drops the models of folders that left, announcing each, and reorders the rest', (t) => {
  const catalog = new Catalog([textEncoders, clip, loras]);
  catalog.upsert(model(textEncoders, 'x.safetensors', 1));
  catalog.upsert(model(clip, 'x.safetensors', 2));
  catalog.upsert(model(loras, 'l.safetensors', 3));
  const log = record(catalog);
  catalog.setFolders([clip, textEncoders]);
  t.deepEqual(log, ['removed /c/models/loras/l.safetensors']);
  t.is(catalog.lookup('text_encoders', 'x.safetensors')?.folder, clip.dir);
  t.is(catalog.lookup('loras', 'l.safetensors'), undefined);
});

test('findByName gives the first entry of each category holding the name; entries and counts follow lookup', (t) => {
  const catalog = new Catalog([textEncoders, clip, loras]);
  catalog.upsert(model(textEncoders, 'shared.safetensors', 1));
  catalog.upsert(model(clip, 'shared.safetensors', 2));
  catalog.upsert(model(loras, 'shared.safetensors', 4));
  catalog.upsert(model(loras, 'other.safetensors', 8));
  t.deepEqual(catalog.findByName('shared.safetensors').map(describeEntry).sort(), [
    'loras/shared.safetensors@4',
    'text_encoders/shared.safetensors@1',
  ]);
  t.deepEqual([...catalog.entries('clip')].map(describeEntry), ['text_encoders/shared.safetensors@1']);
  t.is([...catalog.entries()].length, 3);
  t.deepEqual(catalog.counts(), {
    categories: { text_encoders: { models: 1, bytes: 1 }, loras: { models: 2, bytes: 12 } },
    models: 3,
    bytes: 13,
    unavailableModels: 0,
  });
  t.deepEqual(catalog.folderCounts(clip), { models: 1, bytes: 2 });
});

test("namesUnder lists a folder's files at or below a subfolder", (t) => {
  const catalog = new Catalog([loras]);
  for (const name of ['a/x.safetensors', 'a/b/y.safetensors', 'ab/z.safetensors', 'a.safetensors']) {
    catalog.upsert(model(loras, name));
  }
  t.deepEqual(catalog.namesUnder(loras, 'a').sort(), ['a/b/y.safetensors', 'a/x.safetensors']);
  t.deepEqual(catalog.namesUnder(loras, 'a.safetensors'), ['a.safetensors']);
});
