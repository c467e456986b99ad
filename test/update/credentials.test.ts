import test from 'ava';
import fs from 'node:fs/promises';
import path from 'node:path';
import { FakeHub, sha256Hex } from '../helpers/fake-hub.js';
import { fileSha, randomModel, startUpdater } from '../helpers/fake-hub-harness.js';

test('tokens go to their own hub as a Bearer header, never to the CDN, and never into logs, status, errors or the history', async (t) => {
  const hub = await FakeHub.start(t);
  const GATED = 'checkpoints/gated.safetensors';
  const EARLY = 'loras/early.safetensors';
  const MISSING = 'checkpoints/missing.safetensors';
  const harness = await startUpdater(t, {
    hub,
    credentials: { hfToken: hub.tokens.hf, civitaiToken: hub.tokens.civitai },
    models: [
      { target: GATED, hf: { repo: 'acme/gated', file: 'g.safetensors' } },
      { target: EARLY, civitai: { modelId: 88 } },
      { target: MISSING, hf: { repo: 'acme/private', file: 'p.safetensors' } },
    ],
  });
  const gated = randomModel(64 * 1024);
  hub.publishHf('acme/gated', 'g.safetensors', gated);
  hub.restrictHf('acme/gated', 'gated');
  const early = randomModel(48 * 1024);
  hub.publishCivitai(88, { files: [{ name: 'early.safetensors', bytes: early }], requiresToken: true });

  const report = await harness.service.run();
  const byTarget = new Map(report.entries.map((entry) => [entry.target, entry]));
  t.is(byTarget.get(GATED)?.status, 'updated', 'the token opens the gated repository');
  t.is(byTarget.get(EARLY)?.status, 'updated', 'the token opens the early-access download');
  t.like(byTarget.get(MISSING), { status: 'error', error: { code: 'E_HUB_NOT_FOUND' } });
  t.is(await fileSha(harness.file(GATED)), sha256Hex(gated));
  t.is(await fileSha(harness.file(EARLY)), sha256Hex(early));

  const hfRequests = hub.requests.filter(
    (request) => request.server === 'hub' && !request.path.startsWith('/api/v1') && !request.path.startsWith('/api/download'),
  );
  const civitaiRequests = hub.requests.filter(
    (request) => request.server === 'hub' && (request.path.startsWith('/api/v1') || request.path.startsWith('/api/download')),
  );
  t.true(hfRequests.length >= 4);
  t.true(civitaiRequests.length >= 2);
  for (const request of hfRequests) t.is(request.authorization, `Bearer ${hub.tokens.hf}`, `${request.method} ${request.path}`);
  for (const request of civitaiRequests) t.is(request.authorization, `Bearer ${hub.tokens.civitai}`, `${request.method} ${request.path}`);
  const cdn = hub.cdnRequests();
  t.is(cdn.length, 2);
  for (const request of cdn) {
    t.is(request.authorization, undefined, 'a redirect to another host drops the token');
    t.true(request.host.startsWith('localhost:'), 'the CDN is another host than the hub');
  }
  for (const request of hub.requests) {
    t.false(request.path.includes(hub.tokens.hf) || request.path.includes(hub.tokens.civitai), 'a token never travels in a URL');
  }

  const secrets = [hub.tokens.hf, hub.tokens.civitai];
  const places = {
    logs: harness.logText(),
    status: JSON.stringify(harness.service.status()),
    report: JSON.stringify(report),
    history: await fs.readFile(path.join(harness.stateDir, 'updates.ndjson'), 'utf8'),
    historyResult: JSON.stringify(await harness.service.history()),
    events: JSON.stringify(harness.events),
    state: (await fs.readdir(harness.stateDir)).join(' '),
  };
  for (const [place, text] of Object.entries(places)) {
    for (const secret of secrets) t.false(text.includes(secret), `no token in ${place}`);
  }
  t.like(harness.service.status().credentials, { hf: true, civitai: true });
});

test('without tokens, no Authorization header is sent at all', async (t) => {
  const harness = await startUpdater(t, { models: [{ target: 'checkpoints/toy.safetensors', hf: { repo: 'acme/toy', file: 'toy.safetensors' } }] });
  harness.hub.publishHf('acme/toy', 'toy.safetensors', randomModel(4096));
  await harness.service.run();
  t.true(harness.hub.requests.length >= 3);
  t.true(harness.hub.requests.every((request) => request.authorization === undefined));
  t.like(harness.service.status().credentials, { hf: false, civitai: false });
});
