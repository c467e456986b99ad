import fs from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { parseTrace } from '../../../src/core/simulate/trace.js';
import { arenactl } from '../../helpers/cli-run.js';
import { spawnDaemon } from '../../helpers/daemon-process.js';
import { saveLikeFrontend } from '../../helpers/fake-comfy-files.js';
import { writeModel } from '../../helpers/model-files.js';
import { eventually } from '../../helpers/raw-socket.js';
import { tempDir } from '../../helpers/temp-dir.js';

const T0 = Date.UTC(2026, 0, 5, 20);

interface ExportSummary {
  source: string;
  sourceFrom: 'daemon' | 'config';
  runs: number;
  saves: number;
  events: number;
  keptLoaded: number;
  trace?: unknown[];
}

test('without a daemon, the history file the configuration names is exported; the trace replays', async (t) => {
  const home = await tempDir(t);
  const stateDir = path.join(home, 'state');
  fs.mkdirSync(stateDir);
  const ckpt = { key: 'checkpoints/a.safetensors', bytes: 7e9 };
  const lora = { key: 'loras/b.safetensors', bytes: 2e8 };
  const lines = [
    { t: T0, type: 'save', origin: 'user/default/workflows/a.json', models: [ckpt, lora] },
    { t: T0 + 60_000, runId: 'r1', origin: 'prompt 1', models: [ckpt, lora] },
    { t: T0 + 120_000, runId: 'r2', origin: 'prompt 2', models: [ckpt, lora] },
  ];
  fs.writeFileSync(path.join(stateDir, 'usage.ndjson'), `${lines.map((line) => JSON.stringify(line)).join('\n')}\nnot json\n`);
  const env = { ARENA_STATE_DIR: stateDir, ARENA_SOCKET: path.join(home, 'nobody.sock') };
  const out = path.join(home, 'trace.ndjson');

  const result = await arenactl(['history', 'export', '--trace', '--out', out, '--json'], home, env);
  t.is(result.code, 0, result.stderr);
  t.like(result.json<ExportSummary>(), {
    source: path.join(stateDir, 'usage.ndjson'),
    sourceFrom: 'config',
    runs: 2,
    saves: 1,
    events: 3,
    keptLoaded: 2,
  });
  t.regex(result.stderr, /skipped 1 unreadable line/);
  const events = parseTrace(fs.readFileSync(out, 'utf8'));
  t.deepEqual(
    events.map((event) => [event.t, event.type, event.models.length]),
    [
      [0, 'save', 2],
      [60, 'run', 2],
      [120, 'run', 0],
    ],
  );

  const replay = await arenactl(['simulate', '--trace', out, '--capacity', '64GB', '--policy', 'arena', '--json'], home, env);
  t.like(replay.json(), { requests: 2, hits: 2 });

  const stdout = await arenactl(['history', 'export', '--trace', '--session-gap', '0'], home, env);
  t.deepEqual(
    parseTrace(stdout.stdout).map((event) => event.models.length),
    [2, 2, 2],
  );
  t.is((await arenactl(['history', 'export'], home, env)).code, 2, '--trace is required');
  t.is((await arenactl(['history', 'export', '--trace', '--session-gap', '-1'], home, env)).code, 2);
});

test('a running daemon records saved workflows in its history, and export asks it where the history is', async (t) => {
  const home = await tempDir(t);
  const comfy = path.join(home, 'ComfyUI');
  fs.mkdirSync(path.join(comfy, 'user', 'default', 'workflows'), { recursive: true });
  fs.mkdirSync(path.join(comfy, 'output'), { recursive: true });
  const nas = path.join(home, 'nas');
  writeModel(path.join(nas, 'checkpoints', 'sdxl.safetensors'), 4 * 1024 * 1024);
  writeModel(path.join(nas, 'loras', 'detail.safetensors'), 1024 * 1024);
  const stateDir = path.join(home, 'daemon-state');
  const daemon = await spawnDaemon(t, {
    home,
    env: {
      ARENA_COMFY_ROOT: comfy,
      ARENA_LIBRARY_ROOTS: nas,
      ARENA_CACHE_ROOT: path.join(home, 'ssd'),
      ARENA_COMFY_URL: 'http://127.0.0.1:9',
      ARENA_STATE_DIR: stateDir,
    },
  });
  await daemon.waitForState((status) => status.library.models === 2, 'the library scanned');
  const workflow = {
    nodes: [
      { id: 4, type: 'CheckpointLoaderSimple', mode: 0, widgets_values: ['sdxl.safetensors'] },
      { id: 10, type: 'LoraLoader', mode: 0, widgets_values: ['detail.safetensors', 0.8, 0.8] },
    ],
    links: [],
    version: 0.4,
  };
  await saveLikeFrontend(path.join(comfy, 'user', 'default', 'workflows', 'portrait.json'), JSON.stringify(workflow));
  await eventually(
    () => fs.existsSync(path.join(stateDir, 'usage.ndjson')),
    30_000,
    () => `the save in the history (daemon output:\n${daemon.output()})`,
  );

  // The CLI's own configuration points elsewhere: only the daemon knows where its history is.
  const result = await arenactl(['history', 'export', '--trace', '--json', '--socket', daemon.socketPath], home, {
    ARENA_STATE_DIR: path.join(home, 'elsewhere'),
  });
  t.is(result.code, 0, result.stderr);
  const summary = result.json<ExportSummary>();
  t.like(summary, { sourceFrom: 'daemon', source: path.join(stateDir, 'usage.ndjson'), saves: 1, runs: 0 });
  t.deepEqual(summary.trace, [
    {
      t: 0,
      type: 'save',
      workflow: 'checkpoints/sdxl.safetensors',
      models: [
        { key: 'checkpoints/sdxl.safetensors', bytes: 4 * 1024 * 1024 },
        { key: 'loras/detail.safetensors', bytes: 1024 * 1024 },
      ],
    },
  ]);
});
