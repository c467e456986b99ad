/**
 * Save → first byte: how long after ComfyUI saves a workflow the daemon
 * starts copying its checkpoint to the SSD.
 *
 * A real arenad watches a ComfyUI tree whose models sit on a library root. A
 * run saves a workflow the way the current frontend does (the JSON written to
 * `tmpXXXXXXXX` beside the target, then renamed onto
 * `user/default/workflows/x.json`) naming a checkpoint not copied before, and
 * takes its clock from the rename. "First byte" is the first modification of
 * a staging file in `<cache.root>/.arena/staging/` (inotify through fs.watch,
 * a file that has data when looked at): the copy has begun writing. The
 * creation of that staging file and the `prefetch.started` event on a
 * `subscribe` stream are recorded too. Each run waits for `prefetch.done`
 * before the next, so that no copy overlaps another run.
 */
import { randomBytes } from 'node:crypto';
import { watch, type FSWatcher } from 'node:fs';
import { mkdir, mkdtemp, rename, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ControlClient } from '../../src/control/control-client.js';
import { readEvent } from '../../src/control/contract/events.js';
import type { EventMessage } from '../../src/control/protocol.js';
import { startDaemon, type BenchDaemon } from './bench-daemon.js';
import { markdownTable, type BenchLog, type BenchReport } from './report.js';
import { distribution, formatBytes, formatMs, type Distribution } from './stats.js';

export interface SaveLatencyOptions {
  readonly runs: number;
  readonly warmupRuns: number;
  /** Size of each (sparse) checkpoint. */
  readonly modelBytes: number;
}

export const SAVE_LATENCY_FULL: SaveLatencyOptions = { runs: 40, warmupRuns: 3, modelBytes: 64 * 1024 ** 2 };
export const SAVE_LATENCY_QUICK: SaveLatencyOptions = { runs: 12, warmupRuns: 2, modelBytes: 64 * 1024 ** 2 };

const RUN_TIMEOUT_MS = 20_000;

interface RunTimes {
  /** ms after the rename; undefined when not seen. */
  created?: number;
  firstByte?: number;
  started?: number;
  done?: number;
  failed?: string;
}

export async function runSaveLatency(options: SaveLatencyOptions, log: BenchLog): Promise<BenchReport> {
  const home = await mkdtemp(path.join(tmpdir(), 'arena-bench-save-'));
  let daemon: BenchDaemon | undefined;
  let client: ControlClient | undefined;
  let watcher: FSWatcher | undefined;
  try {
    const comfy = path.join(home, 'ComfyUI');
    const workflows = path.join(comfy, 'user', 'default', 'workflows');
    await mkdir(workflows, { recursive: true });
    await mkdir(path.join(comfy, 'models'), { recursive: true });
    await mkdir(path.join(comfy, 'output'), { recursive: true });
    const nas = path.join(home, 'nas');
    const total = options.warmupRuns + options.runs;
    await mkdir(path.join(nas, 'checkpoints'), { recursive: true });
    for (let run = 0; run < total; run += 1) {
      const file = path.join(nas, 'checkpoints', modelName(run));
      await writeFile(file, '');
      await truncate(file, options.modelBytes);
    }
    const cacheRoot = path.join(home, 'ssd');
    daemon = await startDaemon({
      home,
      env: { ARENA_COMFY_ROOT: comfy, ARENA_LIBRARY_ROOTS: nas, ARENA_CACHE_ROOT: cacheRoot },
    });
    await daemon.waitForStatus((status) => status.state !== 'starting' && status.library.models === total, `${total} models in the library`);
    const stagingDir = path.join(cacheRoot, '.arena', 'staging');
    await mkdir(stagingDir, { recursive: true });

    let current: { t0: number; times: RunTimes; key: string; settled: () => void } | undefined;
    watcher = watch(stagingDir, (eventType, filename) => {
      const now = performance.now();
      const run = current;
      if (run === undefined || filename === null || !filename.endsWith('.part')) return;
      if (eventType === 'rename') run.times.created ??= now - run.t0;
      if (eventType !== 'change' || run.times.firstByte !== undefined) return;
      // A change may be a chmod before any data; count the first one that finds bytes in the file.
      void stat(path.join(stagingDir, filename)).then(
        (stats) => {
          if (stats.size > 0) run.times.firstByte ??= now - run.t0;
        },
        () => {
          // Already renamed into place: it was written completely, so data came with this event at the latest.
          run.times.firstByte ??= now - run.t0;
        },
      );
    });
    client = await ControlClient.connect(daemon.socketPath);
    await client.subscribe(['prefetch'], (message: EventMessage) => {
      const run = current;
      const event = readEvent(message);
      if (run === undefined || event === undefined || !('key' in event) || event.key !== run.key) return;
      const at = performance.now() - run.t0;
      if (event.event === 'prefetch.started' || event.event === 'prefetch.progress') run.times.started ??= at;
      if (event.event === 'prefetch.done') {
        run.times.done = at;
        run.settled();
      }
      if (event.event === 'prefetch.failed') {
        run.times.failed = event.message;
        run.settled();
      }
    });

    const results: RunTimes[] = [];
    for (let run = 0; run < total; run += 1) {
      const warmup = run < options.warmupRuns;
      const temp = path.join(workflows, `tmp${randomBytes(4).toString('hex')}`);
      await writeFile(temp, JSON.stringify(smallWorkflow(modelName(run), run)));
      const times: RunTimes = {};
      let settle = () => {};
      const settled = new Promise<void>((resolve) => (settle = resolve));
      current = { t0: performance.now(), times, key: `checkpoints/${modelName(run)}`, settled: () => settle() };
      await rename(temp, path.join(workflows, 'x.json'));
      const outcome = await Promise.race([settled.then(() => 'settled'), sleep(RUN_TIMEOUT_MS).then(() => 'timeout')]);
      // Let the fs.watch callbacks and their stats of this run land before the next run starts.
      await sleep(100 + Math.random() * 100);
      current = undefined;
      if (outcome === 'timeout') times.failed ??= `no prefetch.done within ${RUN_TIMEOUT_MS} ms`;
      if (!warmup) results.push(times);
      log(
        `  ${warmup ? 'warm-up' : `run ${run - options.warmupRuns + 1}/${options.runs}`}: ` +
          (times.failed !== undefined
            ? `FAILED: ${times.failed}`
            : `first byte ${formatMs(times.firstByte ?? Number.NaN)}, staging file ${formatMs(times.created ?? Number.NaN)}, ` +
              `prefetch.started ${formatMs(times.started ?? Number.NaN)}, done ${formatMs(times.done ?? Number.NaN)}`),
      );
    }
    return report(options, results);
  } finally {
    watcher?.close();
    client?.close();
    await daemon?.stop();
    await rm(home, { recursive: true, force: true });
  }
}

function modelName(run: number): string {
  return `bench-${String(run).padStart(3, '0')}.safetensors`;
}

/** A text-to-image workflow of the UI format, as small as the ones people save every few minutes. */
function smallWorkflow(checkpoint: string, seed: number): unknown {
  const link = (id: number, from: number, fromSlot: number, to: number, toSlot: number, type: string) => [id, from, fromSlot, to, toSlot, type];
  return {
    last_node_id: 9,
    last_link_id: 9,
    nodes: [
      {
        id: 4,
        type: 'CheckpointLoaderSimple',
        mode: 0,
        pos: [26, 474],
        size: [315, 98],
        outputs: [
          { name: 'MODEL', type: 'MODEL', links: [1] },
          { name: 'CLIP', type: 'CLIP', links: [3, 5] },
          { name: 'VAE', type: 'VAE', links: [8] },
        ],
        properties: { 'Node name for S&R': 'CheckpointLoaderSimple' },
        widgets_values: [checkpoint],
      },
      {
        id: 6,
        type: 'CLIPTextEncode',
        mode: 0,
        inputs: [{ name: 'clip', type: 'CLIP', link: 3 }],
        outputs: [{ name: 'CONDITIONING', type: 'CONDITIONING', links: [4] }],
        widgets_values: [`a lighthouse on a cliff at dusk, volumetric light, run ${seed}`],
      },
      {
        id: 7,
        type: 'CLIPTextEncode',
        mode: 0,
        inputs: [{ name: 'clip', type: 'CLIP', link: 5 }],
        outputs: [{ name: 'CONDITIONING', type: 'CONDITIONING', links: [6] }],
        widgets_values: ['blurry, low quality'],
      },
      { id: 5, type: 'EmptyLatentImage', mode: 0, outputs: [{ name: 'LATENT', type: 'LATENT', links: [2] }], widgets_values: [1024, 1024, 1] },
      {
        id: 3,
        type: 'KSampler',
        mode: 0,
        inputs: [
          { name: 'model', type: 'MODEL', link: 1 },
          { name: 'positive', type: 'CONDITIONING', link: 4 },
          { name: 'negative', type: 'CONDITIONING', link: 6 },
          { name: 'latent_image', type: 'LATENT', link: 2 },
        ],
        outputs: [{ name: 'LATENT', type: 'LATENT', links: [7] }],
        widgets_values: [seed, 'fixed', 25, 7, 'dpmpp_2m', 'karras', 1],
      },
      {
        id: 8,
        type: 'VAEDecode',
        mode: 0,
        inputs: [
          { name: 'samples', type: 'LATENT', link: 7 },
          { name: 'vae', type: 'VAE', link: 8 },
        ],
        outputs: [{ name: 'IMAGE', type: 'IMAGE', links: [9] }],
      },
      { id: 9, type: 'SaveImage', mode: 0, inputs: [{ name: 'images', type: 'IMAGE', link: 9 }], widgets_values: ['ComfyUI'] },
    ],
    links: [
      link(1, 4, 0, 3, 0, 'MODEL'),
      link(2, 5, 0, 3, 3, 'LATENT'),
      link(3, 4, 1, 6, 0, 'CLIP'),
      link(4, 6, 0, 3, 1, 'CONDITIONING'),
      link(5, 4, 1, 7, 0, 'CLIP'),
      link(6, 7, 0, 3, 2, 'CONDITIONING'),
      link(7, 3, 0, 8, 0, 'LATENT'),
      link(8, 4, 2, 8, 1, 'VAE'),
      link(9, 8, 0, 9, 0, 'IMAGE'),
    ],
    groups: [],
    config: {},
    extra: { ds: { scale: 1, offset: [0, 0] } },
    version: 0.4,
  };
}

function report(options: SaveLatencyOptions, results: RunTimes[]): BenchReport {
  const failed = results.filter((times) => times.failed !== undefined);
  const ok = results.filter((times) => times.failed === undefined);
  const of = (pick: (times: RunTimes) => number | undefined): Distribution | undefined => {
    const values = ok.map(pick).filter((value): value is number => value !== undefined);
    return values.length === 0 ? undefined : distribution(values);
  };
  const firstByte = of((times) => times.firstByte);
  const row = (name: string, value: Distribution | undefined) =>
    value === undefined
      ? [name, 'not seen', '', '', '', '']
      : [name, formatMs(value.median), formatMs(value.p95), formatMs(value.min), formatMs(value.max), String(value.count)];
  return {
    name: 'save-latency',
    title: 'Save → first byte',
    summary: [
      {
        metric: `first byte after the save, p50 / p95 (${ok.length} runs${failed.length > 0 ? `, ${failed.length} failed` : ''})`,
        value: firstByte === undefined ? 'not seen' : `${formatMs(firstByte.median)} / ${formatMs(firstByte.p95)}`,
        target: 'p95 < 250 ms',
        met: firstByte !== undefined && failed.length === 0 && firstByte.p95 < 250,
      },
    ],
    details: [
      `A real arenad (TypeScript source through tsx, log level info) watches a ComfyUI tree whose checkpoints (${formatBytes(options.modelBytes)} sparse files) ` +
        `are on a library root on the temp filesystem; the SSD cache is on the same filesystem. ${options.runs} runs after ${options.warmupRuns} warm-up runs; ` +
        'each saves `user/default/workflows/x.json` as the ComfyUI frontend does (compact JSON written to `tmpXXXXXXXX` in the same folder, then renamed onto the target), ' +
        'naming a checkpoint that was never copied, and waits for `prefetch.done` before the next run. The clock starts just before the rename.',
      '',
      '**First byte** is the first inotify modification event (fs.watch on `<cache.root>/.arena/staging/`) on the new staging file at which the file holds data: ' +
        'the copy has written its first bytes. It includes the filesystem event reaching the daemon, its debounce (25 ms), reading and parsing the workflow, ' +
        'resolving it against the catalog, queueing, the source checks, opening the staging file, and reading and writing the first chunk ' +
        "(8 MiB; the event comes when that write returns). The staging file's creation and the `prefetch.started` event " +
        '(on a `subscribe` stream, so it includes a socket hop) are shown for comparison.',
      '',
      ...markdownTable(
        ['ms after the rename', 'p50', 'p95', 'min', 'max', 'runs'],
        [
          row('first byte written to staging', firstByte),
          row(
            'staging file created',
            of((times) => times.created),
          ),
          row(
            'prefetch.started received',
            of((times) => times.started),
          ),
          row(
            'prefetch.done received',
            of((times) => times.done),
          ),
        ],
      ),
      ...(failed.length > 0 ? ['', `Failed runs: ${failed.map((times) => times.failed).join('; ')}`] : []),
    ],
  };
}
