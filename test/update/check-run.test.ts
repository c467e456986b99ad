import test from 'ava';
import fs from 'node:fs/promises';
import path from 'node:path';
import { sha256Hex } from '../helpers/fake-hub.js';
import { fileSha, randomModel, startUpdater } from '../helpers/fake-hub-harness.js';

const TOY = 'checkpoints/toy.safetensors';
const hfToy = { target: TOY, hf: { repo: 'acme/toy', file: 'toy.safetensors', revision: 'main' } };

async function writeModel(file: string, bytes: Buffer): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, bytes);
}

async function listFiles(dir: string): Promise<string[]> {
  try {
    return (await fs.readdir(dir, { recursive: true })).map(String).sort();
  } catch {
    return [];
  }
}

test('check compares the library file with the hub, entry by entry, and changes nothing', async (t) => {
  const harness = await startUpdater(t, { models: [hfToy] });
  const v1 = randomModel(64 * 1024);
  harness.hub.publishHf('acme/toy', 'toy.safetensors', v1);
  await writeModel(harness.file(TOY), v1);

  const first = await harness.service.check();
  t.is(first.entries.length, 1);
  t.like(first.entries[0], { target: TOY, status: 'up-to-date', local: { sha256: sha256Hex(v1), bytes: v1.length } });

  const v2 = randomModel(80 * 1024);
  const commit = harness.hub.publishHf('acme/toy', 'toy.safetensors', v2);
  const second = await harness.service.check();
  t.like(second.entries[0], {
    target: TOY,
    status: 'available',
    remote: { sha256: sha256Hex(v2), bytes: v2.length, version: commit },
    local: { sha256: sha256Hex(v1) },
  });
  t.is(await fileSha(harness.file(TOY)), sha256Hex(v1), 'a check installs nothing');
  t.is(harness.hub.cdnRequests().length, 0, 'a check downloads nothing');
  t.true(harness.hub.hubRequests('/api/models/acme/toy/revision/main').length >= 2);
  t.like(harness.service.status(), { tracked: 1, pending: [{ target: TOY, bytes: v2.length }] });
  t.true(harness.events.some((event) => event.event === 'update.available' && event.target === TOY));
});

test('run installs a verified update atomically, keeps the old file, invalidates the cache first and records the history', async (t) => {
  const v1 = randomModel(96 * 1024);
  const v2 = randomModel(128 * 1024);
  let fileAtInvalidation: Buffer | undefined;
  const harness = await startUpdater(t, {
    models: [hfToy],
    onInvalidate: async () => {
      fileAtInvalidation = await fs.readFile(harness.file(TOY));
    },
  });
  harness.hub.publishHf('acme/toy', 'toy.safetensors', v1);
  await writeModel(harness.file(TOY), v1);
  const commit = harness.hub.publishHf('acme/toy', 'toy.safetensors', v2);

  const report = await harness.service.run();
  t.like(report.entries[0], { target: TOY, status: 'updated', local: { sha256: sha256Hex(v1) }, remote: { sha256: sha256Hex(v2) } });
  t.is(await fileSha(harness.file(TOY)), sha256Hex(v2));
  t.deepEqual(harness.invalidated, [TOY]);
  t.is(fileAtInvalidation && sha256Hex(fileAtInvalidation), sha256Hex(v1), 'the SSD copy is dropped before the new file is renamed into place');

  const versionsDir = path.join(harness.root, '.arena', 'versions', 'checkpoints', 'toy.safetensors');
  const kept = await fs.readdir(versionsDir);
  t.is(kept.length, 1);
  t.regex(kept[0]!, new RegExp(`-${sha256Hex(v1)}\\.safetensors$`));
  t.is(await fileSha(path.join(versionsDir, kept[0]!)), sha256Hex(v1));
  t.deepEqual(await listFiles(path.join(harness.root, '.arena', 'staging')), [], 'nothing is left in staging');

  const history = await harness.service.history(TOY);
  t.is(history.records.length, 1);
  t.like(history.records[0], {
    action: 'update',
    target: TOY,
    from: { sha256: sha256Hex(v1), bytes: v1.length },
    to: { sha256: sha256Hex(v2), bytes: v2.length },
    source: { hub: 'hf', repo: 'acme/toy', commit },
    trigger: 'manual',
  });
  t.like(history.kept[0], { target: TOY, versions: [{ sha256: sha256Hex(v1), bytes: v1.length }] });
  t.true(harness.events.some((event) => event.event === 'update.installed' && event.to === sha256Hex(v2)));

  const downloads = harness.hub.cdnRequests().length;
  const again = await harness.service.run();
  t.is(again.entries[0]!.status, 'up-to-date');
  t.is(harness.hub.cdnRequests().length, downloads, 'an installed version is not downloaded again');
});

test('rollback puts the kept version back, keeps the rolled-away one, and holds it back from automatic runs', async (t) => {
  const v1 = randomModel(40 * 1024);
  const v2 = randomModel(50 * 1024);
  const harness = await startUpdater(t, { models: [hfToy] });
  harness.hub.publishHf('acme/toy', 'toy.safetensors', v1);
  await writeModel(harness.file(TOY), v1);
  harness.hub.publishHf('acme/toy', 'toy.safetensors', v2);
  await harness.service.run();
  harness.invalidated.length = 0;

  const rolled = await harness.service.rollback(TOY);
  t.like(rolled, { target: TOY, from: { sha256: sha256Hex(v2) }, to: { sha256: sha256Hex(v1) } });
  t.is(await fileSha(harness.file(TOY)), sha256Hex(v1));
  t.deepEqual(harness.invalidated, [TOY]);
  const history = await harness.service.history(TOY);
  t.like(history.records.at(-1), { action: 'rollback', from: { sha256: sha256Hex(v2) }, to: { sha256: sha256Hex(v1) }, hold: sha256Hex(v2) });
  t.deepEqual(
    history.kept[0]!.versions.map((version) => version.sha256),
    [sha256Hex(v2)],
    'the version rolled away from is kept, so the rollback can be undone',
  );

  const check = await harness.service.check();
  t.like(check.entries[0], { status: 'available', held: true });
  const automatic = await harness.service.run();
  t.like(automatic.entries[0], { status: 'available', held: true });
  t.is(await fileSha(harness.file(TOY)), sha256Hex(v1), 'a run over every entry leaves a held version alone');

  const named = await harness.service.run([TOY]);
  t.is(named.entries[0]!.status, 'updated', 'naming the target installs it anyway');
  t.is(await fileSha(harness.file(TOY)), sha256Hex(v2));
});

test('rollback --to picks a kept version by sha256 prefix or hub version, and says what is kept when nothing matches', async (t) => {
  const [v1, v2, v3] = [randomModel(10_000), randomModel(11_000), randomModel(12_000)];
  const harness = await startUpdater(t, { models: [{ ...hfToy, keep: 2 }] });
  harness.hub.publishHf('acme/toy', 'toy.safetensors', v1);
  await writeModel(harness.file(TOY), v1);
  await harness.service.run();
  harness.hub.publishHf('acme/toy', 'toy.safetensors', v2);
  await harness.service.run();
  harness.hub.publishHf('acme/toy', 'toy.safetensors', v3);
  await harness.service.run();
  t.is(await fileSha(harness.file(TOY)), sha256Hex(v3));
  const kept = (await harness.service.history(TOY)).kept[0]!.versions;
  t.deepEqual(
    kept.map((version) => version.sha256),
    [sha256Hex(v2), sha256Hex(v1)],
    'keep: 2 keeps the two previous versions, newest first',
  );

  const error = await t.throwsAsync(harness.service.rollback(TOY, 'abcdef0123'));
  t.is((error as { code?: string }).code, 'E_NO_VERSION');
  t.true(error.message.includes(sha256Hex(v2).slice(0, 12)));

  await harness.service.rollback(TOY, sha256Hex(v1).slice(0, 10));
  t.is(await fileSha(harness.file(TOY)), sha256Hex(v1));
  // v3 came through the updater, so the history knows its commit.
  const c3 = (await harness.service.history(TOY)).records.find((record) => record.to.sha256 === sha256Hex(v3))!.source;
  t.is(c3?.hub, 'hf');
  await harness.service.rollback(TOY, c3?.hub === 'hf' ? c3.commit.slice(0, 8) : '');
  t.is(await fileSha(harness.file(TOY)), sha256Hex(v3));
});

test('rollback without a kept version says how versions come to be kept', async (t) => {
  const harness = await startUpdater(t, { models: [hfToy] });
  await writeModel(harness.file(TOY), randomModel(1000));
  const error = await t.throwsAsync(harness.service.rollback(TOY));
  t.is((error as { code?: string }).code, 'E_NO_VERSION');
  t.regex(error.message, /keep: 1/);
});

test('CivitAI: track latest follows the newest version, narrowed to a base model, and picks the file of the target kind', async (t) => {
  const STYLE = 'loras/style.safetensors';
  const harness = await startUpdater(t, { models: [{ target: STYLE, civitai: { modelId: 1234, track: 'latest', baseModel: 'SDXL 1.0' } }] });
  const v1 = randomModel(30_000);
  harness.hub.publishCivitai(1234, { name: 'v1', baseModel: 'SDXL 1.0', files: [{ name: 'style_v1.safetensors', bytes: v1 }] });
  await writeModel(harness.file(STYLE), v1);
  const v2 = randomModel(33_000);
  const v2Id = harness.hub.publishCivitai(1234, {
    name: 'v2',
    baseModel: 'SDXL 1.0',
    files: [
      { name: 'style_v2.ckpt', bytes: randomModel(1000), primary: true },
      { name: 'style_v2.safetensors', bytes: v2 },
    ],
  });
  harness.hub.publishCivitai(1234, {
    name: 'v3 for Flux',
    baseModel: 'Flux.1 D',
    files: [{ name: 'style_flux.safetensors', bytes: randomModel(2000) }],
  });

  const check = await harness.service.check();
  t.like(check.entries[0], { status: 'available', remote: { sha256: sha256Hex(v2), version: String(v2Id) } });
  const run = await harness.service.run();
  t.is(run.entries[0]!.status, 'updated');
  t.is(await fileSha(harness.file(STYLE)), sha256Hex(v2));
  t.like((await harness.service.history(STYLE)).records[0], { source: { hub: 'civitai', modelId: 1234, versionId: v2Id, baseModel: 'SDXL 1.0' } });
  const download = harness.hub.hubRequests('/api/download/models/');
  t.is(download.length, 1);
  t.is(harness.hub.cdnRequests().length, 1, 'the download redirect is followed to the CDN');
});

test('CivitAI: baseModel same keeps to the base model of the installed version; a fixed versionId stays put', async (t) => {
  const SAME = 'loras/same.safetensors';
  const FIXED = 'loras/fixed.safetensors';
  const harness = await startUpdater(t, {
    models: [
      { target: SAME, civitai: { modelId: 77, baseModel: 'same' } },
      { target: FIXED, civitai: { versionId: 1000 } },
    ],
  });
  const sd15 = randomModel(5000);
  harness.hub.publishCivitai(77, { baseModel: 'SD 1.5', files: [{ name: 'a.safetensors', bytes: sd15 }] });
  await writeModel(harness.file(FIXED), sd15);
  await writeModel(harness.file(SAME), sd15);
  const sd15b = randomModel(6000);
  harness.hub.publishCivitai(77, { baseModel: 'SD 1.5', files: [{ name: 'b.safetensors', bytes: sd15b }] });
  harness.hub.publishCivitai(77, { baseModel: 'SDXL 1.0', files: [{ name: 'c.safetensors', bytes: randomModel(7000) }] });

  const check = await harness.service.check();
  t.like(check.entries[0], { target: SAME, status: 'available', remote: { sha256: sha256Hex(sd15b) } });
  t.like(check.entries[1], { target: FIXED, status: 'up-to-date' });
});

test('a model not yet in the library is installed into its category folder', async (t) => {
  const NEW = 'checkpoints/sub/new.safetensors';
  const harness = await startUpdater(t, { models: [{ target: NEW, hf: { repo: 'acme/new', file: 'weights/new.safetensors' } }] });
  const bytes = randomModel(20_000);
  harness.hub.publishHf('acme/new', 'weights/new.safetensors', bytes);
  const check = await harness.service.check();
  t.like(check.entries[0], { status: 'available', local: null });
  const run = await harness.service.run();
  t.like(run.entries[0], { status: 'updated' });
  t.is(await fileSha(harness.file(NEW)), sha256Hex(bytes));
  t.like((await harness.service.history(NEW)).records[0], { from: null, keptAs: null });
});

test('a malformed manifest entry is reported with its position, and the good entries still work', async (t) => {
  const harness = await startUpdater(t, {
    models: [
      hfToy,
      { target: 'loras/bad.safetensors', hf: { repo: 'not a repo', file: 'x' } },
      { target: '../escape.safetensors', civitai: { modelId: 1 } },
    ],
  });
  const bytes = randomModel(1000);
  harness.hub.publishHf('acme/toy', 'toy.safetensors', bytes);
  await writeModel(harness.file(TOY), bytes);

  const report = await harness.service.check();
  t.is(report.entries.length, 3);
  const good = report.entries.find((entry) => entry.target === TOY);
  t.is(good?.status, 'up-to-date');
  const bad = report.entries.find((entry) => entry.target === 'loras/bad.safetensors');
  t.like(bad, { status: 'error', error: { code: 'E_MANIFEST' } });
  t.regex(bad!.error!.message, /entry 2 \(line \d+\).*hf\.repo/);
  const escape = report.entries.find((entry) => entry.target === '../escape.safetensors');
  t.like(escape, { status: 'error', error: { code: 'E_MANIFEST' } });
  t.is(harness.service.problems().length, 2);
  t.is(harness.service.status().tracked, 1);
});

test('a target named on the command line must be in the manifest', async (t) => {
  const harness = await startUpdater(t, { models: [hfToy] });
  const error = await t.throwsAsync(harness.service.check(['loras/other.safetensors']));
  t.is((error as { code?: string }).code, 'E_NOT_FOUND');
  t.regex(error.message, /identify/);
});

test('identify hashes local files and asks CivitAI by hash, suggesting manifest entries for the files it knows', async (t) => {
  const harness = await startUpdater(t, { models: [hfToy] });
  const known = randomModel(9000);
  const versionId = harness.hub.publishCivitai(555, { name: 'v7', baseModel: 'Pony', files: [{ name: 'known.safetensors', bytes: known }] });
  await writeModel(harness.file('loras/known.safetensors'), known);
  await writeModel(harness.file('loras/unknown.safetensors'), randomModel(4000));
  await writeModel(harness.file(TOY), randomModel(1000));
  await harness.writeManifest([hfToy]);

  const result = await harness.service.identify();
  const byTarget = new Map(result.files.map((file) => [file.target, file]));
  t.false(byTarget.has(TOY), 'tracked models are left out');
  t.like(byTarget.get('loras/known.safetensors'), {
    sha256: sha256Hex(known),
    civitai: { modelId: 555, versionId, versionName: 'v7', baseModel: 'Pony' },
    suggestion: { target: 'loras/known.safetensors', civitai: { modelId: 555, track: 'latest', baseModel: 'Pony' }, keep: 1 },
  });
  t.like(byTarget.get('loras/unknown.safetensors'), { civitai: null });
  t.true(harness.hub.hubRequests(`/api/v1/model-versions/by-hash/${sha256Hex(known)}`).length === 1);

  const hashes = JSON.parse(await fs.readFile(path.join(harness.stateDir, 'update-hashes.json'), 'utf8')) as {
    files: Record<string, { sha256: string }>;
  };
  t.is(hashes.files[harness.file('loras/known.safetensors')]?.sha256, sha256Hex(known), 'hashes are remembered by path, size and mtime');
  const named = await harness.service.identify(['loras/known.safetensors']);
  t.is(named.files.length, 1);
});
