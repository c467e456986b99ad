/**
 * Journey: every secret the daemon holds (hub tokens, the farm token, the
 * status page's token) stays inside it, whatever carries it — here a model
 * whose name happens to hold one. The socket, its events, the metrics and
 * the log show [REDACTED].
 */
import test from 'ava';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { arenactlJson, downloadModel, makeWorld, saveWorkflow, sh, startArenad, until } from './helpers/product.js';
import { freePort } from '../helpers/free-port.js';

const FARM_TOKEN = 'farmsecret-0f3c9a7e1d';
const UI_TOKEN = 'uisecret-77b21c0e95';

function get(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    http
      .get(url, (response) => {
        let body = '';
        response.on('data', (chunk: Buffer) => (body += chunk.toString()));
        response.on('end', () => resolve(body));
      })
      .on('error', reject);
  });
}

test.serial('the farm and UI tokens never leave the daemon: not in replies, events, metrics or the log', async (t) => {
  const port = await freePort();
  const world = await makeWorld(t, {
    env: { ARENA_FARM_TOKEN: FARM_TOKEN, ARENA_UI_TOKEN: UI_TOKEN, ARENA_METRICS_LISTEN: `127.0.0.1:${port}` },
  });
  downloadModel(path.join(world.nas, 'checkpoints', `${FARM_TOKEN}.safetensors`), 1_000_000);
  downloadModel(path.join(world.nas, 'loras', `${UI_TOKEN}.safetensors`), 1_000_000);
  const daemon = await startArenad(t, world);
  await until(
    async () => (await arenactlJson<{ library: { models: number } }>(world, 'status')).library.models === 2,
    8000,
    () => 'both models in the catalog',
  );

  const events: string[] = [];
  const stream = net.connect(world.socket);
  t.teardown(() => stream.destroy());
  stream.on('data', (chunk: Buffer) => events.push(chunk.toString()));
  stream.write('{"id":1,"cmd":"subscribe","args":{"topics":["prefetch"]}}\n');
  await until(
    () => events.join('').includes('"subscribed"'),
    5000,
    () => 'the subscription',
  );

  // Saved in ComfyUI: the daemon finds the models itself, so every name that comes back is the daemon's, not an echo of a command line.
  saveWorkflow(
    world,
    'tokens.json',
    JSON.stringify({
      nodes: [
        { id: 1, type: 'CheckpointLoaderSimple', mode: 0, widgets_values: [`${FARM_TOKEN}.safetensors`] },
        { id: 2, type: 'LoraLoader', mode: 0, widgets_values: [`${UI_TOKEN}.safetensors`, 1, 1] },
      ],
      links: [],
    }),
  );
  await until(
    async () =>
      (await arenactlJson<{ entries: Array<{ state: string }> }>(world, 'ls')).entries.filter((entry) => entry.state === 'cached').length === 2,
    10_000,
    () => 'both models cached',
  );
  const seen = [
    (await sh(world, 'arenactl status --json')).stdout,
    (await sh(world, 'arenactl ls --json')).stdout,
    (await sh(world, 'arenactl ls')).stdout,
    await get(`http://127.0.0.1:${port}/metrics`),
  ];
  await until(
    () => events.join('').includes('prefetch.done'),
    5000,
    () => 'the copy events',
  );
  seen.push(events.join(''), daemon.output());
  for (const text of seen) {
    t.false(text.includes(FARM_TOKEN), text.slice(0, 400));
    t.false(text.includes(UI_TOKEN), text.slice(0, 400));
  }
  t.true(seen[1]!.includes('[REDACTED]'), 'the entries are there, with the secret taken out');
});
