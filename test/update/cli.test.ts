import test, { type ExecutionContext } from 'ava';
import fs from 'node:fs/promises';
import path from 'node:path';
import { stringify } from 'yaml';
import type { HistoryResult, IdentifyResult, RollbackResult, UpdateReport, UpdatesStatus } from '../../src/control/contract/update.js';
import { arenactl } from '../helpers/cli-run.js';
import { FakeHub, sha256Hex } from '../helpers/fake-hub.js';
import { fileSha, randomModel } from '../helpers/fake-hub-harness.js';
import { tempDir } from '../helpers/temp-dir.js';

const TOY = 'checkpoints/toy.safetensors';

interface Offline {
  readonly hub: FakeHub;
  readonly home: string;
  readonly library: string;
  readonly cacheRoot: string;
  readonly env: NodeJS.ProcessEnv;
  writeManifest(models: readonly unknown[]): Promise<void>;
}

/** arenactl with no daemon: a library, a manifest, a state folder and the fake hub, all named by the environment. */
async function offline(t: ExecutionContext): Promise<Offline> {
  const hub = await FakeHub.start(t);
  const home = await tempDir(t, 'arena-update-cli-');
  const library = path.join(home, 'nas');
  const cacheRoot = path.join(home, 'ssd');
  const manifest = path.join(home, 'manifest.yaml');
  await fs.mkdir(path.join(library, 'checkpoints'), { recursive: true });
  await fs.mkdir(path.join(library, 'loras'), { recursive: true });
  const env = {
    ARENA_SOCKET: path.join(home, 'run', 'arenad.sock'),
    ARENA_LIBRARY_ROOTS: library,
    ARENA_CACHE_ROOT: cacheRoot,
    ARENA_STATE_DIR: path.join(home, 'state'),
    ARENA_UPDATES_MANIFEST: manifest,
    ARENA_UPDATE_WINDOWS: 'Sat 02:00-05:00',
    ARENA_HF_ENDPOINT: hub.endpoint,
    ARENA_CIVITAI_ENDPOINT: hub.endpoint,
    HF_TOKEN: hub.tokens.hf,
  };
  return {
    hub,
    home,
    library,
    cacheRoot,
    env,
    writeManifest: (models) => fs.writeFile(manifest, stringify({ models })),
  };
}

test('without a daemon, arenactl update checks, runs, lists the history and rolls back by itself', async (t) => {
  const s = await offline(t);
  await s.writeManifest([{ target: TOY, hf: { repo: 'acme/toy', file: 'toy.safetensors' } }]);
  const v1 = randomModel(20_000);
  const v2 = randomModel(30_000);
  s.hub.publishHf('acme/toy', 'toy.safetensors', v1);
  await fs.writeFile(path.join(s.library, TOY), v1);
  s.hub.publishHf('acme/toy', 'toy.safetensors', v2);
  // A copy of v1 on the SSD, as the cache would hold it.
  await fs.mkdir(path.join(s.cacheRoot, 'checkpoints'), { recursive: true });
  await fs.writeFile(path.join(s.cacheRoot, TOY), v1);

  const check = await arenactl(['update', 'check', '--json'], s.home, s.env);
  t.is(check.code, 0, check.stderr);
  t.like(check.json<UpdateReport>().entries[0], { target: TOY, status: 'available', remote: { sha256: sha256Hex(v2) } });
  t.regex(check.stderr, /arenad is not running/);

  const text = await arenactl(['update', 'check'], s.home, s.env);
  t.regex(text.stdout, /^available\s+checkpoints\/toy\.safetensors\s+main@[0-9a-f]{7}, 30\.0 kB/m);

  const run = await arenactl(['update', 'run', '--json'], s.home, s.env);
  t.is(run.code, 0, run.stderr);
  t.like(run.json<UpdateReport>().entries[0], { target: TOY, status: 'updated' });
  t.is(await fileSha(path.join(s.library, TOY)), sha256Hex(v2));
  await t.throwsAsync(fs.stat(path.join(s.cacheRoot, TOY)), undefined, 'the stale SSD copy is gone');
  t.regex(run.stderr, /installed/);

  const history = await arenactl(['update', 'history', TOY, '--json'], s.home, s.env);
  t.is(history.code, 0, history.stderr);
  const records = history.json<HistoryResult>();
  t.like(records.records, [{ action: 'update', target: TOY, to: { sha256: sha256Hex(v2) } }]);
  t.like(records.kept, [{ target: TOY, versions: [{ sha256: sha256Hex(v1) }] }]);
  const historyText = await arenactl(['update', 'history'], s.home, s.env);
  t.regex(historyText.stdout, new RegExp(`update\\s+${TOY}\\s+${sha256Hex(v1).slice(0, 12)} -> ${sha256Hex(v2).slice(0, 12)}`));

  const rollback = await arenactl(['update', 'rollback', TOY, '--json'], s.home, s.env);
  t.is(rollback.code, 0, rollback.stderr);
  t.like(rollback.json<RollbackResult>(), { target: TOY, to: { sha256: sha256Hex(v1) } });
  t.is(await fileSha(path.join(s.library, TOY)), sha256Hex(v1));

  const status = await arenactl(['update', 'status', '--json'], s.home, s.env);
  t.is(status.code, 0, status.stderr);
  t.like(status.json<UpdatesStatus & { daemon: boolean }>(), {
    daemon: false,
    tracked: 1,
    windows: 'Sat 02:00-05:00',
    credentials: { hf: true, civitai: false },
  });
  t.truthy(status.json<UpdatesStatus>().nextWindow ?? status.json<UpdatesStatus>().currentWindow);

  for (const result of [check, text, run, history, historyText, rollback, status]) {
    t.false(result.stdout.includes(s.hub.tokens.hf) || result.stderr.includes(s.hub.tokens.hf), 'no token in any output');
  }
});

test('check and run exit 1 when an entry fails, with every entry in the JSON', async (t) => {
  const s = await offline(t);
  await s.writeManifest([
    { target: TOY, hf: { repo: 'acme/toy', file: 'toy.safetensors' } },
    { target: 'loras/gone.safetensors', hf: { repo: 'acme/gone', file: 'gone.safetensors' } },
  ]);
  const bytes = randomModel(1000);
  s.hub.publishHf('acme/toy', 'toy.safetensors', bytes);
  await fs.writeFile(path.join(s.library, TOY), bytes);

  const check = await arenactl(['update', 'check', '--json'], s.home, s.env);
  t.is(check.code, 1);
  const entries = check.json<UpdateReport>().entries;
  t.like(entries[0], { target: TOY, status: 'up-to-date' });
  t.like(entries[1], { target: 'loras/gone.safetensors', status: 'error', error: { code: 'E_HUB_NOT_FOUND' } });
  const named = await arenactl(['update', 'check', TOY, '--json'], s.home, s.env);
  t.is(named.code, 0);
  t.is(named.json<UpdateReport>().entries.length, 1);
});

test('update commands refuse malformed targets (exit 2) and say when no manifest is set', async (t) => {
  const s = await offline(t);
  const usage = await arenactl(['update', 'rollback', 'nonsense'], s.home, s.env);
  t.is(usage.code, 2);
  const none = await arenactl(['update', 'check', '--json'], s.home, { ...s.env, ARENA_UPDATES_MANIFEST: '' });
  t.is(none.code, 1);
  t.like(none.json<{ error: { code: string } }>(), { error: { code: 'E_NO_MANIFEST' } });
  t.regex(none.stderr, /updates\.manifest/);
});

test('update identify prints manifest entries for the files CivitAI knows', async (t) => {
  const s = await offline(t);
  await s.writeManifest([]);
  const known = randomModel(7000);
  s.hub.publishCivitai(4321, { name: 'v2.0', baseModel: 'Illustrious', files: [{ name: 'known.safetensors', bytes: known }] });
  await fs.writeFile(path.join(s.library, 'loras', 'known.safetensors'), known);

  const json = await arenactl(['update', 'identify', '--json'], s.home, s.env);
  t.is(json.code, 0, json.stderr);
  t.like(json.json<IdentifyResult>().files[0], { target: 'loras/known.safetensors', civitai: { modelId: 4321, versionName: 'v2.0' } });
  const text = await arenactl(['update', 'identify', 'loras/known.safetensors'], s.home, s.env);
  t.regex(text.stdout, /civitai\s+loras\/known\.safetensors\s+Model 4321 · v2\.0 · Illustrious/);
  t.regex(text.stdout, /models:\n {2}- target: loras\/known\.safetensors\n {4}civitai:\n {6}modelId: 4321\n {6}track: latest/);
});
