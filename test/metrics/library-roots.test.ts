import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import { EventBus } from '../../src/control/event-bus.js';
import { collectModelFolders } from '../../src/library/model-folders.js';
import { silentLogger } from '../../src/log/logger.js';
import { ArenaMetrics } from '../../src/metrics/index.js';
import { startLibrary } from '../helpers/library-harness.js';
import { tempDir, waitFor, writeModel } from '../helpers/library-files.js';
import { parseExposition, type Sample } from '../helpers/prometheus-text.js';

/** `root → value` of every arena_library_root_up series in a scrape. */
function rootsUp(samples: readonly Sample[]): Record<string, number> {
  return Object.fromEntries(samples.filter((sample) => sample.name === 'arena_library_root_up').map((sample) => [sample.labels.root!, sample.value]));
}

/**
 * A real Library over a ComfyUI install (an empty `models/`), a folder that
 * extra_model_paths.yaml names and a library root, read through the metrics
 * as the daemon wires them: one series per root, whatever its category folders.
 */
test('each library root is up while reachable, goes to 0 when it is moved away, and back to 1 when it returns', async (t) => {
  const base = await tempDir(t);
  const comfy = path.join(base, 'ComfyUI');
  const models = path.join(comfy, 'models');
  const nas = path.join(base, 'nas');
  const vae = path.join(base, 'fast', 'vae');
  await mkdir(models, { recursive: true });
  await writeModel(path.join(nas, 'loras', 'a.safetensors'), 1);
  await writeModel(path.join(vae, 'v.safetensors'), 2);
  await writeFile(path.join(comfy, 'extra_model_paths.yaml'), `fast:\n  base_path: ${path.dirname(vae)}\n  vae: vae\n`);
  const { folders } = await collectModelFolders({ comfyRoot: comfy, libraryRoots: [nas], exclude: [] });
  const { library } = await startLibrary(t, folders);

  const metrics = new ArenaMetrics({
    sources: {
      version: '0.0.0',
      events: new EventBus(),
      daemon: () => ({ state: 'ready', problems: library.problems(), comfy: { reachable: null }, library: library.status() }),
      cache: () => undefined,
      updates: () => undefined,
      catalog: () => library.catalog,
    },
    logger: silentLogger,
  });
  t.teardown(() => metrics.close());
  const scrape = async () => rootsUp(parseExposition((await metrics.scrape()).body));
  // The series are named as the configuration names the roots, never by path.
  const [modelsRoot, vaeFolder, nasRoot] = ['models', 'extra_model_paths.yaml#fast:vae', 'library.roots[0]'];

  t.true(folders.length > 20, 'each root brings a folder per category');
  t.deepEqual(await scrape(), { [modelsRoot]: 1, [vaeFolder]: 1, [nasRoot]: 1 }, 'one series per root; an empty models/ is up');

  await rename(nas, `${nas}-away`);
  await waitFor(async () => (await scrape())[nasRoot] === 0, 'the moved root at 0');
  t.deepEqual(await scrape(), { [modelsRoot]: 1, [vaeFolder]: 1, [nasRoot]: 0 });
  await rename(`${nas}-away`, nas);
  await waitFor(async () => (await scrape())[nasRoot] === 1, 'the returned root at 1');

  await rename(vae, `${vae}-away`);
  await waitFor(async () => (await scrape())[vaeFolder] === 0, 'the folder named on its own at 0');
  t.deepEqual(await scrape(), { [modelsRoot]: 1, [vaeFolder]: 0, [nasRoot]: 1 });
  await rename(`${vae}-away`, vae);
  await waitFor(async () => (await scrape())[vaeFolder] === 1, 'the returned folder at 1');
});
