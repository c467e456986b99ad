/**
 * A hub that echoes the Authorization header back, in error texts and in
 * version names: whatever the updater hands out (results, status, events,
 * the history) carries the hub's words with the token redacted.
 */
import test from 'ava';
import fs from 'node:fs/promises';
import path from 'node:path';
import { FakeHub } from '../helpers/fake-hub.js';
import { newerOnHub, randomModel, startUpdater } from '../helpers/fake-hub-harness.js';

const TOY = 'checkpoints/toy.safetensors';
const hfToy = { target: TOY, hf: { repo: 'acme/toy', file: 'toy.safetensors' } };

test('errors and names that echo the Authorization header never carry a token out of the updater', async (t) => {
  const STYLE = 'loras/style.safetensors';
  const PRIVATE = 'checkpoints/private.safetensors';
  const LOCKED = 'loras/locked.safetensors';
  const hub = await FakeHub.start(t);
  hub.echoAuthorization = true;
  const harness = await startUpdater(t, {
    hub,
    models: [
      hfToy,
      { target: PRIVATE, hf: { repo: 'acme/private', file: 'private.safetensors' } },
      { target: STYLE, civitai: { modelId: 1234 } },
      { target: LOCKED, civitai: { modelId: 77 } },
    ],
    credentials: { hfToken: hub.tokens.hf, civitaiToken: hub.tokens.civitai },
  });
  await newerOnHub(harness, 'acme/toy', TOY, 4096);
  hub.publishHf('acme/private', 'private.safetensors', randomModel(2000));
  hub.refuse('/api/models/acme/private', 10);
  hub.refuse('/api/v1/models/77', 10, 403);
  hub.publishCivitai(1234, { files: [{ name: 'style.safetensors', bytes: randomModel(2000) }], requiresToken: true });
  hub.publishCivitai(77, { files: [{ name: 'locked.safetensors', bytes: randomModel(2000) }] });

  const check = await harness.service.check();
  const run = await harness.service.run();
  t.like(check.entries[1], { target: PRIVATE, error: { code: 'E_HUB_AUTH' } });
  t.regex(check.entries[1]!.error!.message, /invalid credentials.*\[REDACTED\]/, "the hub's words stay, the token goes");
  t.like(run.entries[2], { target: STYLE, status: 'updated' });
  t.like(run.entries[3], { target: LOCKED, error: { code: 'E_HUB_AUTH' } });

  const history = await fs.readFile(path.join(harness.stateDir, 'updates.ndjson'), 'utf8');
  t.regex(history, /\[REDACTED\]/, 'the echoing version name was recorded, redacted');
  const outputs = {
    check: JSON.stringify(check),
    run: JSON.stringify(run),
    events: JSON.stringify(harness.events),
    status: JSON.stringify(harness.service.status()),
    history,
    historyCommand: JSON.stringify(await harness.service.history()),
  };
  for (const [where, text] of Object.entries(outputs)) {
    for (const token of Object.values(hub.tokens)) t.false(text.includes(token), `${where} carries ${token}`);
  }
  t.true(harness.events.some((event) => event.event === 'update.failed' && event.target === PRIVATE));
});
