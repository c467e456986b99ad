import test from 'ava';
import fs from 'node:fs/promises';
import path from 'node:path';
import { sha256Hex } from '../helpers/fake-hub.js';
import { fileSha, randomModel, startUpdater, type UpdaterHarness } from '../helpers/fake-hub-harness.js';

const TOY = 'checkpoints/toy.safetensors';
const hfToy = { target: TOY, hf: { repo: 'acme/toy', file: 'toy.safetensors' } };
const MiB = 1024 * 1024;

/** A library holding v1 of the toy model, with v2 published on the hub. */
async function toyUpdate(harness: UpdaterHarness, bytes = MiB): Promise<{ v1: Buffer; v2: Buffer }> {
  const v1 = randomModel(bytes / 2);
  const v2 = randomModel(bytes);
  harness.hub.publishHf('acme/toy', 'toy.safetensors', v1);
  await fs.writeFile(harness.file(TOY), v1);
  harness.hub.publishHf('acme/toy', 'toy.safetensors', v2);
  return { v1, v2 };
}

async function stagingFiles(harness: UpdaterHarness): Promise<string[]> {
  return fs.readdir(path.join(harness.root, '.arena', 'staging')).catch(() => []);
}

test('a download whose sha256 differs from the hub is discarded and never installed', async (t) => {
  const harness = await startUpdater(t, { models: [hfToy] });
  const { v1, v2 } = await toyUpdate(harness);
  harness.hub.corruptBlob(sha256Hex(v2));

  const report = await harness.service.run();
  t.like(report.entries[0], { target: TOY, status: 'error', error: { code: 'E_VERIFY' } });
  t.regex(report.entries[0]!.error!.message, /discarded and nothing was installed/);
  t.is(await fileSha(harness.file(TOY)), sha256Hex(v1));
  t.deepEqual(await stagingFiles(harness), [], 'the bad bytes are gone');
  t.deepEqual(harness.invalidated, [], 'the cache copy of the good file stays');
  t.deepEqual((await harness.service.history()).records, []);
  t.true(harness.logs.some((line) => line.level === 'warn' && line.message === 'update failed' && line.meta.code === 'E_VERIFY'));
  t.true(harness.events.some((event) => event.event === 'update.failed' && event.code === 'E_VERIFY'));
});

test('a download cut halfway resumes with a Range request and ends byte-identical', async (t) => {
  const harness = await startUpdater(t, { models: [hfToy] });
  const { v2 } = await toyUpdate(harness);
  harness.hub.cutDownloads(MiB / 2);

  const report = await harness.service.run();
  t.is(report.entries[0]!.status, 'updated');
  t.is(await fileSha(harness.file(TOY)), sha256Hex(v2));
  const downloads = harness.hub.cdnRequests();
  t.is(downloads.length, 2);
  t.is(downloads[0]!.range, undefined);
  const resumedAt = Number(/^bytes=(\d+)-$/.exec(downloads[1]!.range ?? '')?.[1]);
  t.true(resumedAt > 0 && resumedAt <= MiB / 2, `resumed at ${resumedAt}`);
  t.true(harness.logs.some((line) => line.message === 'the download broke off; resuming'));
});

test('a download that keeps breaking off stops, keeps its partial file, and the next run resumes it', async (t) => {
  const harness = await startUpdater(t, { models: [hfToy] });
  const { v1, v2 } = await toyUpdate(harness);
  harness.hub.cutDownloads(MiB / 8, 4);

  const first = await harness.service.run();
  t.like(first.entries[0], { status: 'error', error: { code: 'E_DOWNLOAD' } });
  t.is(await fileSha(harness.file(TOY)), sha256Hex(v1));
  const staged = await stagingFiles(harness);
  t.is(staged.filter((name) => name.endsWith('.part')).length, 1);
  t.is(staged.filter((name) => name.endsWith('.json')).length, 1, 'the expected size and sha256 are recorded beside it');
  const record = JSON.parse(
    await fs.readFile(
      path.join(
        harness.root,
        '.arena',
        'staging',
        staged.find((name) => name.endsWith('.json'))!,
      ),
      'utf8',
    ),
  ) as Record<string, unknown>;
  t.like(record, { target: TOY, sha256: sha256Hex(v2), bytes: v2.length, etag: `"${sha256Hex(v2)}"` });
  const partSize = (
    await fs.stat(
      path.join(
        harness.root,
        '.arena',
        'staging',
        staged.find((name) => name.endsWith('.part'))!,
      ),
    )
  ).size;
  t.true(partSize > 0 && partSize < v2.length);

  const before = harness.hub.cdnRequests().length;
  const second = await harness.service.run();
  t.is(second.entries[0]!.status, 'updated');
  t.is(await fileSha(harness.file(TOY)), sha256Hex(v2));
  t.is(harness.hub.cdnRequests()[before]!.range, `bytes=${partSize}-`);
  t.deepEqual(await stagingFiles(harness), []);
});

test('each resume after a break waits longer, about 1, 2 and 4 s, each shortened by a random share of up to half', async (t) => {
  const harness = await startUpdater(t, { models: [hfToy] });
  await toyUpdate(harness);
  harness.hub.cutDownloads(MiB / 8, 4);

  await harness.service.run();
  t.is(harness.sleeps.length, 3, 'three resumes, then the entry fails until the next run');
  for (const [index, wait] of harness.sleeps.entries()) {
    const full = 1000 * 2 ** index;
    t.true(wait >= full / 2 && wait <= full, `wait ${index + 1}: ${wait} ms`);
  }
});

test('a server that answers 200 to a Range request is downloaded again from the start', async (t) => {
  const harness = await startUpdater(t, { models: [hfToy] });
  const { v2 } = await toyUpdate(harness);
  harness.hub.cutDownloads(MiB / 8, 4);
  await harness.service.run();
  harness.hub.ignoreRange = true;

  const report = await harness.service.run();
  t.is(report.entries[0]!.status, 'updated');
  t.is(await fileSha(harness.file(TOY)), sha256Hex(v2));
  t.true(harness.logs.some((line) => /ignored the resume range; downloading from the start/.test(line.message)));
});

test('a 429 from Hugging Face waits for the reset its RateLimit header names, then carries on', async (t) => {
  const harness = await startUpdater(t, { models: [hfToy] });
  await toyUpdate(harness, 4096);
  harness.hub.rateLimit('/api/models/acme/toy', 2, { RateLimit: '"api";r=0;t=7', 'RateLimit-Policy': '"fixed window";"api";q=1000;w=300' });

  const report = await harness.service.check();
  t.is(report.entries[0]!.status, 'available');
  t.deepEqual(harness.sleeps, [7000, 7000]);
  t.true(harness.logs.some((line) => line.level === 'warn' && /rate limited/.test(line.message)));
});

test('a 429 from CivitAI (no Retry-After) backs off exponentially from one second', async (t) => {
  const STYLE = 'loras/style.safetensors';
  const harness = await startUpdater(t, { models: [{ target: STYLE, civitai: { modelId: 1234 } }] });
  harness.hub.publishCivitai(1234, { files: [{ name: 'style.safetensors', bytes: randomModel(2000) }] });
  harness.hub.rateLimit('/api/v1/models/1234', 3);

  const report = await harness.service.check();
  t.is(report.entries[0]!.status, 'available');
  t.deepEqual(harness.sleeps, [1000, 2000, 4000]);
});

test('a check that the rate limit does not let finish says so for that entry, and the others are checked', async (t) => {
  const STYLE = 'loras/style.safetensors';
  const harness = await startUpdater(t, { models: [hfToy, { target: STYLE, civitai: { modelId: 1234 } }] });
  await toyUpdate(harness, 4096);
  harness.hub.publishCivitai(1234, { files: [{ name: 'style.safetensors', bytes: randomModel(2000) }] });
  harness.hub.rateLimit('/api/models/acme/toy', 100);

  const report = await harness.service.check();
  t.like(report.entries[0], { target: TOY, status: 'error', error: { code: 'E_RATE_LIMITED' } });
  t.regex(report.entries[0]!.error!.message, /after 7 tries/);
  t.deepEqual(harness.sleeps, [1000, 2000, 4000, 8000, 16000, 30000], 'doubling up to 30 s');
  t.like(report.entries[1], { target: STYLE, status: 'available' });
  t.like(harness.service.status().lastCheck, { available: 1, errors: 1 });
});

test('a reset further away than a check may wait ends that entry at once', async (t) => {
  const harness = await startUpdater(t, { models: [hfToy] });
  await toyUpdate(harness, 4096);
  harness.hub.rateLimit('/api/models/acme/toy', 1, { RateLimit: '"api";r=0;t=280' });

  const report = await harness.service.check();
  t.like(report.entries[0], { status: 'error', error: { code: 'E_RATE_LIMITED' } });
  t.regex(report.entries[0]!.error!.message, /resets in 280 s/);
  t.deepEqual(harness.sleeps, []);
});

test('missing repositories, revisions, files and models, and gated repositories, are reported entry by entry', async (t) => {
  const harness = await startUpdater(t, {
    models: [
      { target: 'checkpoints/norepo.safetensors', hf: { repo: 'acme/nothing', file: 'x.safetensors' } },
      { target: 'checkpoints/norev.safetensors', hf: { repo: 'acme/toy', file: 'toy.safetensors', revision: 'v9' } },
      { target: 'checkpoints/nofile.safetensors', hf: { repo: 'acme/toy', file: 'other.safetensors' } },
      { target: 'checkpoints/gated.safetensors', hf: { repo: 'acme/gated', file: 'g.safetensors' } },
      { target: 'loras/nomodel.safetensors', civitai: { modelId: 999 } },
      { target: 'loras/noversion.safetensors', civitai: { versionId: 424242 } },
      hfToy,
    ],
  });
  const toy = randomModel(3000);
  harness.hub.publishHf('acme/toy', 'toy.safetensors', toy);
  await fs.writeFile(harness.file(TOY), toy);
  harness.hub.publishHf('acme/gated', 'g.safetensors', randomModel(3000));
  harness.hub.restrictHf('acme/gated', 'gated');

  const report = await harness.service.check();
  const byTarget = new Map(report.entries.map((entry) => [entry.target, entry]));
  t.like(byTarget.get('checkpoints/norepo.safetensors'), { status: 'error', error: { code: 'E_HUB_NOT_FOUND' } });
  t.regex(byTarget.get('checkpoints/norepo.safetensors')!.error!.message, /no repository acme\/nothing.*HF_TOKEN/);
  t.regex(byTarget.get('checkpoints/norev.safetensors')!.error!.message, /no revision "v9"/);
  t.regex(byTarget.get('checkpoints/nofile.safetensors')!.error!.message, /no file other\.safetensors/);
  t.like(byTarget.get('checkpoints/gated.safetensors'), { status: 'error', error: { code: 'E_HUB_GATED' } });
  t.regex(byTarget.get('checkpoints/gated.safetensors')!.error!.message, /accept its conditions/);
  t.like(byTarget.get('loras/nomodel.safetensors'), { status: 'error', error: { code: 'E_HUB_NOT_FOUND' } });
  t.like(byTarget.get('loras/noversion.safetensors'), { status: 'error', error: { code: 'E_HUB_NOT_FOUND' } });
  t.like(byTarget.get(TOY), { status: 'up-to-date' });

  const run = await harness.service.run();
  t.is(run.entries.filter((entry) => entry.status === 'error').length, 6);
  t.is(harness.hub.cdnRequests().length, 0);
});

test('a CivitAI download that needs a token fails with E_HUB_AUTH and says how to give one', async (t) => {
  const STYLE = 'loras/style.safetensors';
  const harness = await startUpdater(t, { models: [{ target: STYLE, civitai: { modelId: 1234 } }] });
  harness.hub.publishCivitai(1234, { files: [{ name: 'style.safetensors', bytes: randomModel(2000) }], requiresToken: true });

  const report = await harness.service.run();
  t.like(report.entries[0], { status: 'error', error: { code: 'E_HUB_AUTH' } });
  t.regex(report.entries[0]!.error!.message, /CIVITAI_TOKEN/);
  await t.throwsAsync(fs.stat(harness.file(STYLE)));
});
