import fs from 'node:fs';
import path from 'node:path';
import type { ExecutionContext } from 'ava';
import type { StatsResult } from '../../src/control/contract/cache.js';
import { spawnDaemon, type DaemonHandle } from './daemon-process.js';
import { comfyPng } from './fake-comfy-files.js';
import { freePort } from './free-port.js';
import { writeModel } from './model-files.js';
import { eventually } from './raw-socket.js';
import { tempDir } from './temp-dir.js';

const MB = 1024 * 1024;

/** Names that must never show up in metrics: they are model names. */
export const MODEL_NAMES = ['portrait-sdxl-v7', 'detail-tweaker'];

const PROMPT = {
  '4': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: `${MODEL_NAMES[0]}.safetensors` } },
  '10': {
    class_type: 'LoraLoader',
    inputs: { lora_name: `${MODEL_NAMES[1]}.safetensors`, model: ['4', 0], clip: ['4', 1], strength_model: 1, strength_clip: 1 },
  },
};

export interface MetricsDaemon {
  readonly daemon: DaemonHandle;
  readonly metricsPort: number;
  readonly comfy: string;
  /** The text of GET /metrics. */
  scrape(): Promise<string>;
  stats(): Promise<StatsResult>;
}

/** A real arenad with a ComfyUI install, a library root and metrics on a free loopback port. */
export async function startMetricsDaemon(t: ExecutionContext, metricsPort?: number): Promise<MetricsDaemon> {
  const home = await tempDir(t);
  const comfy = path.join(home, 'ComfyUI');
  fs.mkdirSync(path.join(comfy, 'output'), { recursive: true });
  fs.mkdirSync(path.join(comfy, 'models'), { recursive: true });
  const nas = path.join(home, 'nas');
  writeModel(path.join(nas, 'checkpoints', `${MODEL_NAMES[0]}.safetensors`), 12 * MB);
  writeModel(path.join(nas, 'loras', `${MODEL_NAMES[1]}.safetensors`), 3 * MB);
  const port = metricsPort ?? (await freePort());
  const daemon = await spawnDaemon(t, {
    home,
    env: {
      ARENA_COMFY_ROOT: comfy,
      ARENA_LIBRARY_ROOTS: nas,
      ARENA_CACHE_ROOT: path.join(home, 'ssd'),
      ARENA_COMFY_URL: 'http://127.0.0.1:9',
      ARENA_METRICS_LISTEN: `127.0.0.1:${port}`,
    },
  });
  await daemon.waitForState((status) => status.library.models === 2, 'the library scanned');
  const scrape = async () => {
    const response = await fetch(`http://127.0.0.1:${port}/metrics`);
    if (response.status !== 200) throw new Error(`GET /metrics answered ${response.status}: ${await response.text()}`);
    return response.text();
  };
  return { daemon, metricsPort: port, comfy, scrape, stats: () => daemon.request('stats') };
}

/**
 * A generation as ComfyUI records it, after the checkpoint was prefetched:
 * the checkpoint is a hit, the LoRA a miss (and then gets copied).
 */
export async function produceRun(setup: MetricsDaemon): Promise<StatsResult> {
  const { daemon } = setup;
  await daemon.request('prefetch', { models: [{ category: 'checkpoints', name: `${MODEL_NAMES[0]}.safetensors` }] });
  await eventually(
    async () => (await cachedKeys(daemon)).length === 1,
    30_000,
    () => `the checkpoint cached (output:\n${daemon.output()})`,
  );
  // The run's start is the image's mtime, which the kernel stamps at jiffy granularity, a few ms behind
  // Date.now(): an image written within those ms of the copy's end could date from before it, a miss.
  await new Promise((resolve) => setTimeout(resolve, 50));
  fs.writeFileSync(path.join(setup.comfy, 'output', 'ComfyUI_00001_.png'), comfyPng({ prompt: JSON.stringify(PROMPT) }));
  await eventually(
    async () => (await cachedKeys(daemon)).length === 2,
    30_000,
    () => `the run counted and the LoRA cached (output:\n${daemon.output()})`,
  );
  return setup.stats();
}

async function cachedKeys(daemon: DaemonHandle): Promise<string[]> {
  const { entries } = await daemon.request('ls');
  return entries.filter((entry) => entry.state === 'cached').map((entry) => entry.key);
}
