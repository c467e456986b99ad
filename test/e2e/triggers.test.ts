import fs from 'node:fs';
import path from 'node:path';
import test, { type ExecutionContext } from 'ava';
import type { StatusResult } from '../../src/control/contract/daemon.js';
import { spawnDaemon, type DaemonHandle } from '../helpers/daemon-process.js';
import { comfyPng, saveLikeFrontend } from '../helpers/fake-comfy-files.js';
import { FakeComfy, queueItem } from '../helpers/fake-comfy.js';
import { sha256Of, writeModel } from '../helpers/model-files.js';
import { eventually } from '../helpers/raw-socket.js';
import { tempDir } from '../helpers/temp-dir.js';

const MB = 1024 * 1024;

const UI_WORKFLOW = {
  nodes: [
    { id: 4, type: 'CheckpointLoaderSimple', mode: 0, widgets_values: ['sdxl.safetensors'] },
    { id: 10, type: 'LoraLoader', mode: 0, widgets_values: ['detail.safetensors', 0.8, 0.8] },
    { id: 11, type: 'VAELoader', mode: 0, widgets_values: ['sdxl_vae.safetensors'] },
    { id: 12, type: 'LoraLoader', mode: 4, widgets_values: ['bypassed.safetensors', 1, 1] },
  ],
  links: [],
  version: 0.4,
};

const API_PROMPT = {
  '4': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'sdxl.safetensors' } },
  '10': {
    class_type: 'LoraLoader',
    inputs: { lora_name: 'detail.safetensors', model: ['4', 0], clip: ['4', 1], strength_model: 1, strength_clip: 1 },
  },
};

interface Install {
  home: string;
  comfy: string;
  nas: string;
  cacheRoot: string;
  daemon: DaemonHandle;
}

/** A ComfyUI install whose models live on a "NAS" library root, and a daemon watching it. */
async function install(t: ExecutionContext, env: NodeJS.ProcessEnv = {}): Promise<Install> {
  const home = await tempDir(t);
  const comfy = path.join(home, 'ComfyUI');
  fs.mkdirSync(path.join(comfy, 'user', 'default', 'workflows'), { recursive: true });
  fs.mkdirSync(path.join(comfy, 'output'), { recursive: true });
  fs.mkdirSync(path.join(comfy, 'models'), { recursive: true });
  const nas = path.join(home, 'nas');
  writeModel(path.join(nas, 'checkpoints', 'sdxl.safetensors'), 40 * MB);
  writeModel(path.join(nas, 'loras', 'detail.safetensors'), 6 * MB);
  writeModel(path.join(nas, 'loras', 'bypassed.safetensors'), 6 * MB);
  writeModel(path.join(nas, 'vae', 'sdxl_vae.safetensors'), 8 * MB);
  const cacheRoot = path.join(home, 'ssd');
  const daemon = await spawnDaemon(t, {
    home,
    env: { ARENA_COMFY_ROOT: comfy, ARENA_LIBRARY_ROOTS: nas, ARENA_CACHE_ROOT: cacheRoot, ARENA_COMFY_URL: 'http://127.0.0.1:9', ...env },
  });
  await daemon.waitForState((status) => status.library.models === 4, 'the library scanned');
  return { home, comfy, nas, cacheRoot, daemon };
}

async function cachedKeys(daemon: DaemonHandle): Promise<string[]> {
  const { entries } = await daemon.request('ls');
  return entries
    .filter((entry) => entry.state === 'cached')
    .map((entry) => entry.key)
    .sort();
}

async function waitForCached(daemon: DaemonHandle, keys: string[]): Promise<void> {
  await eventually(
    async () => JSON.stringify(await cachedKeys(daemon)) === JSON.stringify([...keys].sort()),
    30_000,
    () => `exactly ${keys.join(', ')} cached (daemon output:\n${daemon.output()})`,
  );
}

async function assertIdentical(t: ExecutionContext, setup: Install, keys: string[]): Promise<void> {
  for (const key of keys) t.is(await sha256Of(path.join(setup.cacheRoot, key)), await sha256Of(path.join(setup.nas, key)), key);
}

const ACTIVE = ['checkpoints/sdxl.safetensors', 'loras/detail.safetensors', 'vae/sdxl_vae.safetensors'];

test('a workflow saved as ComfyUI does (temp file, then rename) gets its active models copied, byte-identical', async (t) => {
  const setup = await install(t);
  await saveLikeFrontend(path.join(setup.comfy, 'user', 'default', 'workflows', 'portrait.json'), JSON.stringify(UI_WORKFLOW));
  await waitForCached(setup.daemon, ACTIVE);
  await assertIdentical(t, setup, ACTIVE);
  t.false(fs.existsSync(path.join(setup.cacheRoot, 'loras', 'bypassed.safetensors')), 'bypassed nodes are not needed');
  const entries = (await setup.daemon.request('ls')).entries;
  t.true(entries.every((entry) => entry.state === 'cached'));
  t.regex(setup.daemon.output(), /workflow saved: user\/default\/workflows\/portrait\.json .*models=3/);
});

test('a workflow written in place (truncate, then write) is read once it is complete', async (t) => {
  const setup = await install(t);
  const file = path.join(setup.comfy, 'user', 'default', 'workflows', 'old-frontend.json');
  const text = JSON.stringify(UI_WORKFLOW);
  const fd = fs.openSync(file, 'w');
  fs.writeSync(fd, text.slice(0, 60));
  await new Promise((resolve) => setTimeout(resolve, 150));
  fs.writeSync(fd, text.slice(60));
  fs.closeSync(fd);
  await waitForCached(setup.daemon, ACTIVE);
  await assertIdentical(t, setup, ACTIVE);
});

test('an output image is a run: models cached before it count as hits, the others as misses, and those get copied', async (t) => {
  const setup = await install(t);
  await setup.daemon.request('prefetch', { models: [{ category: 'checkpoints', name: 'sdxl.safetensors' }] });
  await waitForCached(setup.daemon, ['checkpoints/sdxl.safetensors']);
  // A batch of two images from one run.
  const png = comfyPng({ prompt: JSON.stringify(API_PROMPT), workflow: JSON.stringify(UI_WORKFLOW) });
  fs.writeFileSync(path.join(setup.comfy, 'output', 'ComfyUI_00001_.png'), png);
  fs.writeFileSync(path.join(setup.comfy, 'output', 'ComfyUI_00002_.png'), png);
  await eventually(
    async () => (await setup.daemon.request('stats')).misses === 1,
    20_000,
    () => `the run counted (output:\n${setup.daemon.output()})`,
  );
  await waitForCached(setup.daemon, ['checkpoints/sdxl.safetensors', 'loras/detail.safetensors']);
  const stats = await setup.daemon.request('stats');
  t.like(stats, { hits: 1, misses: 1, hitRatio: 0.5 });
  const sdxl = (await setup.daemon.request('ls')).entries.find((entry) => entry.key === 'checkpoints/sdxl.safetensors')!;
  t.is(sdxl.hits, 1);
  t.not(sdxl.lastUsed, null);
  // The run went into the usage history.
  const history = fs
    .readFileSync(path.join(setup.home, '.local', 'state', 'arena', 'usage.ndjson'), 'utf8')
    .trim()
    .split('\n');
  t.is(history.length, 1, 'two images of one run are one run');
  t.deepEqual(
    (JSON.parse(history[0]!) as { models: Array<{ key: string }> }).models.map((model) => model.key),
    ['checkpoints/sdxl.safetensors', 'loras/detail.safetensors'],
  );
});

test('ComfyUI queue: a pending prompt is prefetched before anything else; ComfyUI down shows in status without breaking anything', async (t) => {
  const comfyServer = await FakeComfy.start(t);
  const setup = await install(t, { ARENA_COMFY_URL: comfyServer.url, ARENA_PREFETCH_CONCURRENCY: '1' });
  comfyServer.pending = [queueItem(1, 'prompt-aaa', API_PROMPT)];
  await waitForCached(setup.daemon, ['checkpoints/sdxl.safetensors', 'loras/detail.safetensors']);
  t.regex(setup.daemon.output(), /prompt queued: prompt prompt-aaa/);
  let status: StatusResult = await setup.daemon.status();
  t.like(status.comfy, { reachable: true, url: comfyServer.url });

  await comfyServer.stop();
  status = await setup.daemon.waitForState((current) => current.comfy.reachable === false, 'ComfyUI seen as down');
  t.regex(status.comfy.error!, new RegExp(`^ComfyUI not reachable at ${comfyServer.url.replace(/[.]/g, '\\.')}`));
  t.is(status.state, 'ready', 'ComfyUI being down is not a daemon problem');
  t.is((await setup.daemon.request('stats')).prefetch.failed, 0);
});

test('a malformed workflow save is logged in one line and the daemon carries on', async (t) => {
  const setup = await install(t);
  const folder = path.join(setup.comfy, 'user', 'default', 'workflows');
  await saveLikeFrontend(path.join(folder, 'broken.json'), '[1, 2, 3]');
  await setup.daemon.waitForOutput(/broken\.json/);
  await saveLikeFrontend(path.join(folder, 'good.json'), JSON.stringify(UI_WORKFLOW));
  await waitForCached(setup.daemon, ACTIVE);
  t.notRegex(setup.daemon.output(), /\n\s+at /, 'no stack trace');
});
