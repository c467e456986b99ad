/**
 * API answers that would not fit in memory: the updater reads at most 8 MiB
 * of one (refusing at once what its Content-Length announces as larger),
 * fails that entry with E_HUB_RESPONSE, and checks the others.
 */
import test from 'ava';
import { newerOnHub, startUpdater } from '../helpers/fake-hub-harness.js';

const TOY = 'checkpoints/toy.safetensors';
const OTHER = 'checkpoints/other.safetensors';
const hfToy = { target: TOY, hf: { repo: 'acme/toy', file: 'toy.safetensors' } };
const hfOther = { target: OTHER, hf: { repo: 'acme/other', file: 'other.safetensors' } };
const MiB = 1024 * 1024;
/** The updater's cap on an API answer (8 MiB); what the hub sent past it sat in socket buffers when the client let go. */
const API_CAP = 8 * MiB;
const SOCKET_BUFFERS = 40 * MiB;

test('an API answer without end is refused with E_HUB_RESPONSE near the cap, naming the hub and the endpoint', async (t) => {
  const harness = await startUpdater(t, { models: [hfToy, hfOther] });
  await newerOnHub(harness, 'acme/toy', TOY, 4096);
  await newerOnHub(harness, 'acme/other', OTHER, 4096);
  const answer = harness.hub.endlessJson('/api/models/acme/toy/revision');

  const report = await harness.service.check();
  t.like(report.entries[0], { target: TOY, status: 'error', error: { code: 'E_HUB_RESPONSE' } });
  t.regex(
    report.entries[0]!.error!.message,
    new RegExp(`Hugging Face answered ${harness.hub.endpoint}/api/models/acme/toy/revision/main with more than 8 MiB`),
  );
  t.like(report.entries[1], { target: OTHER, status: 'available' });
  await answer.done;
  t.true(answer.bytesSent > API_CAP, `the hub got to send ${answer.bytesSent} bytes`);
  t.true(answer.bytesSent < API_CAP + SOCKET_BUFFERS, `the client stopped reading near the cap; the hub sent ${answer.bytesSent} bytes`);
});

test('an API answer whose Content-Length is over the cap is refused before its body is read', async (t) => {
  const harness = await startUpdater(t, { models: [{ target: 'loras/style.safetensors', civitai: { modelId: 1234 } }] });
  const answer = harness.hub.endlessJson('/api/v1/models/1234', { contentLength: 1.5 * 1024 * MiB });

  const report = await harness.service.check();
  t.like(report.entries[0], { status: 'error', error: { code: 'E_HUB_RESPONSE' } });
  t.regex(
    report.entries[0]!.error!.message,
    new RegExp(`CivitAI answered ${harness.hub.endpoint}/api/v1/models/1234 with 1.6 GB \\(its Content-Length\\), more than 8 MiB`),
  );
  await answer.done;
  t.true(answer.bytesSent < SOCKET_BUFFERS, `the hub sent ${answer.bytesSent} bytes`);
});

test('an error answer without end from CivitAI is read only in part', async (t) => {
  const harness = await startUpdater(t, { models: [{ target: 'loras/style.safetensors', civitai: { modelId: 1234 } }] });
  const answer = harness.hub.endlessJson('/api/v1/models/1234', { status: 404 });

  const report = await harness.service.check();
  t.like(report.entries[0], { status: 'error', error: { code: 'E_HUB_NOT_FOUND' } });
  await answer.done;
  t.true(answer.bytesSent < SOCKET_BUFFERS, `the hub sent ${answer.bytesSent} bytes`);
});
