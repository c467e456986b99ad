import fs from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import { EventBus } from '../../src/control/event-bus.js';
import { silentLogger } from '../../src/log/logger.js';
import { ArenaMetrics } from '../../src/metrics/index.js';
import { randomModel, startUpdater } from '../helpers/fake-hub-harness.js';
import { parseExposition, sampleValue } from '../helpers/prometheus-text.js';

const TOY = 'checkpoints/toy.safetensors';
const STYLE = 'loras/style.safetensors';

/**
 * A real updater against the fake hub, its events forwarded to the bus as
 * the daemon forwards them, and the metrics read back from their text.
 */
test('each check of a tracked model against its hub is counted by result, whether check or run made it', async (t) => {
  const harness = await startUpdater(t, {
    models: [
      { target: TOY, hf: { repo: 'acme/toy', file: 'toy.safetensors', revision: 'main' } },
      { target: STYLE, hf: { repo: 'acme/style', file: 'style.safetensors', revision: 'main' } },
    ],
  });
  const bus = new EventBus();
  harness.service.on('event', (event) => bus.publish(event));
  const metrics = new ArenaMetrics({
    sources: {
      version: '0.0.0',
      events: bus,
      daemon: () => ({
        state: 'ready',
        problems: [],
        comfy: { reachable: null },
        library: { folders: [], roots: [], bytes: 0, unavailableModels: 0 },
      }),
      cache: () => undefined,
      updates: () => harness.service.status(),
      catalog: () => undefined,
    },
    logger: silentLogger,
  });
  t.teardown(() => metrics.close());
  const scrape = async () => parseExposition((await metrics.scrape()).body);

  const toy = randomModel(32 * 1024);
  harness.hub.publishHf('acme/toy', 'toy.safetensors', toy);
  await fs.mkdir(path.dirname(harness.file(TOY)), { recursive: true });
  await fs.writeFile(harness.file(TOY), toy);

  // acme/style is not on the hub yet: its check fails.
  const report = await harness.service.check();
  t.deepEqual(
    report.entries.map((entry) => entry.status),
    ['up-to-date', 'error'],
  );
  let samples = await scrape();
  t.is(sampleValue(samples, 'arena_update_checks_total', { result: 'ok' }), 1);
  t.is(sampleValue(samples, 'arena_update_checks_total', { result: 'error' }), 1);
  t.is(sampleValue(samples, 'arena_update_last_check_errors'), 1);

  harness.hub.publishHf('acme/style', 'style.safetensors', randomModel(16 * 1024));
  const run = await harness.service.run();
  t.deepEqual(
    run.entries.map((entry) => entry.status),
    ['up-to-date', 'updated'],
  );
  samples = await scrape();
  t.is(sampleValue(samples, 'arena_update_checks_total', { result: 'ok' }), 3, 'a run checks each entry before it installs');
  t.is(sampleValue(samples, 'arena_update_checks_total', { result: 'error' }), 1);
  t.is(sampleValue(samples, 'arena_update_installs_total'), 1);
});
