import fs from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { spawnDaemon } from '../helpers/daemon-process.js';
import { saveLikeFrontend } from '../helpers/fake-comfy-files.js';
import { writeModel } from '../helpers/model-files.js';
import { eventually } from '../helpers/raw-socket.js';
import { tempDir } from '../helpers/temp-dir.js';

const MIB = 1024 * 1024;

/** Bytes on disk under the cache root, partial copies in staging included. */
function bytesUnder(dir: string): number {
  let total = 0;
  if (!fs.existsSync(dir)) return 0;
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    try {
      total += fs.statSync(path.join(entry.parentPath, entry.name)).size;
    } catch {
      // Renamed or removed between the listing and the stat.
    }
  }
  return total;
}

function workflow(checkpoint: string, lora: string) {
  return {
    nodes: [
      { id: 4, type: 'CheckpointLoaderSimple', mode: 0, widgets_values: [checkpoint] },
      { id: 10, type: 'LoraLoader', mode: 0, widgets_values: [lora, 1, 1] },
    ],
    links: [],
    version: 0.4,
  };
}

test('a real daemon never goes over its quota while it prefetches three workflows that together exceed it', async (t) => {
  const home = await tempDir(t);
  const comfy = path.join(home, 'ComfyUI');
  fs.mkdirSync(path.join(comfy, 'user', 'default', 'workflows'), { recursive: true });
  const nas = path.join(home, 'nas');
  for (const name of ['a', 'b', 'c']) {
    writeModel(path.join(nas, 'checkpoints', `${name}.safetensors`), 40 * MIB);
    writeModel(path.join(nas, 'loras', `${name}-style.safetensors`), 8 * MIB);
  }
  const cacheRoot = path.join(home, 'ssd');
  const maxBytes = Math.floor(0.1 * 2 ** 30); // ARENA_CACHE_MAX_GB=0.1: about two of the three workflows
  const daemon = await spawnDaemon(t, {
    home,
    env: {
      ARENA_COMFY_ROOT: comfy,
      ARENA_LIBRARY_ROOTS: nas,
      ARENA_CACHE_ROOT: cacheRoot,
      ARENA_CACHE_MAX_GB: '0.1',
      ARENA_COMFY_URL: 'http://127.0.0.1:9',
    },
  });
  await daemon.waitForState((status) => status.library.models === 6, 'the library scanned');

  let peak = 0;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      peak = Math.max(peak, bytesUnder(cacheRoot));
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  })();

  for (const name of ['a', 'b', 'c']) {
    await saveLikeFrontend(
      path.join(comfy, 'user', 'default', 'workflows', `${name}.json`),
      JSON.stringify(workflow(`${name}.safetensors`, `${name}-style.safetensors`)),
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  await eventually(
    async () => {
      const stats = await daemon.request('stats');
      return stats.prefetch.completed >= 4 && stats.prefetch.queued === 0 && stats.prefetch.active === 0;
    },
    60_000,
    () => `the prefetch to settle (output:\n${daemon.output()})`,
  );
  sampling = false;
  await sampler;

  const stats = await daemon.request('stats');
  t.true(peak <= maxBytes, `peak ${peak} bytes on disk, quota ${maxBytes}`);
  t.true(stats.cache.bytes <= maxBytes);
  t.true(stats.cache.bytes >= 96 * MIB, `the quota was used, not left empty (output:\n${daemon.output()})`);
  // The workflow saved last is the one about to run: it must be on the SSD whole.
  const { entries } = await daemon.request('ls');
  const cached = entries.filter((entry) => entry.state === 'cached').map((entry) => entry.key);
  t.true(cached.includes('checkpoints/c.safetensors') && cached.includes('loras/c-style.safetensors'), cached.join(', '));
  t.deepEqual(fs.readdirSync(path.join(cacheRoot, '.arena', 'staging')), []);
});
