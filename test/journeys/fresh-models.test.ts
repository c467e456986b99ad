/**
 * Journey: a user downloads a model and uses it seconds later. The
 * workflow's models are wanted even while the file is still settling or not
 * there yet, and are cached once it lands.
 */
import test from 'ava';
import fs from 'node:fs';
import path from 'node:path';
import { arenactlJson, checkpointWorkflow, downloadModel, makeWorld, saveWorkflow, sh, startArenad, until } from './helpers/product.js';

const MB = 1_000_000;

interface LsEntry {
  key: string;
  state: string;
}
interface Wanted {
  category: string;
  name: string;
  reason: string;
  origin: string;
  since: number;
}

async function cachedKeys(world: Parameters<typeof arenactlJson>[0]): Promise<string[]> {
  const ls = await arenactlJson<{ entries: LsEntry[] }>(world, 'ls');
  return ls.entries.filter((entry) => entry.state === 'cached').map((entry) => entry.key);
}

test.serial('a workflow saved half a second after its model was downloaded gets it cached within the settle window plus 2 s', async (t) => {
  const world = await makeWorld(t);
  const daemon = await startArenad(t, world);
  downloadModel(path.join(world.nas, 'checkpoints', 'fresh.safetensors'), 24 * MB);
  await new Promise((resolve) => setTimeout(resolve, 500));
  saveWorkflow(world, 'fresh.json', checkpointWorkflow('fresh.safetensors'));
  const savedAt = Date.now();

  // While the file settles, it is wanted, not forgotten: the log says so when the save is read.
  await daemon.waitForOutput(/wants checkpoints\/fresh\.safetensors, which is still being written/, 3000);
  await until(
    async () => (await cachedKeys(world)).includes('checkpoints/fresh.safetensors'),
    2000 + 2000 + 1000,
    () => 'the fresh model to be cached',
  );
  t.true(Date.now() - savedAt < 2000 + 2000 + 1000);
  const status = await arenactlJson<{ wanted: Wanted[] }>(world, 'status');
  t.deepEqual(status.wanted, [], 'once cached, nothing is wanted any more');
});

test.serial('a model that lands on a polled NAS root 15 s after the save is cached within one poll interval plus the settle window', async (t) => {
  const world = await makeWorld(t, { env: { ARENA_LIBRARY_POLL: 'always', ARENA_LIBRARY_POLL_S: '3' } });
  const daemon = await startArenad(t, world);
  saveWorkflow(world, 'later.json', checkpointWorkflow('later.safetensors'));
  await daemon.waitForOutput(/later\.safetensors/);
  t.regex(
    daemon.output(),
    /checkpoints\/later\.safetensors[^\n]*(missing|not in the library)/,
    'the log names the missing model when the save is read',
  );

  const wanted = await arenactlJson<{ wanted: Wanted[] }>(world, 'status');
  t.like(wanted.wanted[0], { category: 'checkpoints', name: 'later.safetensors', reason: 'missing' });
  t.regex(wanted.wanted[0]!.origin, /later\.json/);
  const text = await sh(world, 'arenactl status');
  t.regex(text.stdout, /wanted[\s\S]*checkpoints\/later\.safetensors/);

  await new Promise((resolve) => setTimeout(resolve, 15_000));
  downloadModel(path.join(world.nas, 'checkpoints', 'later.safetensors'), 8 * MB);
  const landedAt = Date.now();
  await until(
    async () => (await cachedKeys(world)).includes('checkpoints/later.safetensors'),
    3000 + 2000 + 1500,
    () => 'the late model to be cached',
  );
  t.true(Date.now() - landedAt < 3000 + 2000 + 1500);
});

test.serial('the wanted list survives a restart, and a newer save that drops a model drops it from the list', async (t) => {
  const world = await makeWorld(t);
  let daemon = await startArenad(t, world);
  saveWorkflow(world, 'w.json', checkpointWorkflow('a.safetensors', 'b.safetensors'));
  await until(
    async () => (await arenactlJson<{ wanted: Wanted[] }>(world, 'status')).wanted.length === 2,
    5000,
    () => `two wanted models:\n${daemon.output()}`,
  );
  t.is(await daemon.stop(), 0);

  daemon = await startArenad(t, world);
  const after = await arenactlJson<{ wanted: Wanted[] }>(world, 'status');
  t.deepEqual(after.wanted.map((want) => want.name).sort(), ['a.safetensors', 'b.safetensors']);

  saveWorkflow(world, 'w.json', checkpointWorkflow('a.safetensors'));
  await until(
    async () => (await arenactlJson<{ wanted: Wanted[] }>(world, 'status')).wanted.length === 1,
    5000,
    () => `the dropped model to leave the wanted list:\n${daemon.output()}`,
  );
  downloadModel(path.join(world.nas, 'checkpoints', 'b.safetensors'), 2 * MB);
  downloadModel(path.join(world.nas, 'checkpoints', 'a.safetensors'), 2 * MB);
  await until(
    async () => (await cachedKeys(world)).includes('checkpoints/a.safetensors'),
    8000,
    () => `a.safetensors to be cached:\n${daemon.output()}`,
  );
  t.false((await cachedKeys(world)).includes('checkpoints/b.safetensors'), 'a model no save wants any more is not copied');
  t.true(fs.existsSync(path.join(world.cacheRoot, 'checkpoints', 'a.safetensors')));
});

test.serial('predict exits 4 when an active reference is missing from the library, and suggests the near name', async (t) => {
  const world = await makeWorld(t);
  downloadModel(path.join(world.nas, 'checkpoints', 'juggernautXL_v9.safetensors'), 1 * MB);
  const file = saveWorkflow(world, 'typo.json', checkpointWorkflow('juggernautXL_v8.safetensors'));
  const offline = await sh(world, `arenactl predict ${JSON.stringify(file)} --library ${JSON.stringify(world.nas)}`);
  t.is(offline.code, 4, offline.stdout + offline.stderr);
  t.regex(offline.stdout + offline.stderr, /did you mean[^\n]*juggernautXL_v9\.safetensors/i);
  // A user with no ComfyUI and no library configured, and no daemon: nothing to resolve against, so nothing is missing.
  const bare = path.join(world.base, 'bare-home');
  fs.mkdirSync(bare);
  const none = await sh(world, `arenactl predict ${JSON.stringify(file)}`, { env: { ARENA_LIBRARY_ROOTS: '', HOME: bare } });
  t.is(none.code, 0, none.stdout + none.stderr);
});

test.serial('prefetch of a model still being written says so, and --wait copies it once it settles', async (t) => {
  const world = await makeWorld(t);
  await startArenad(t, world);
  const file = path.join(world.nas, 'checkpoints', 'growing.safetensors');
  downloadModel(file, 4 * MB);
  const grower = setInterval(() => fs.appendFileSync(file, Buffer.alloc(MB, 7)), 300);
  t.teardown(() => clearInterval(grower));
  await new Promise((resolve) => setTimeout(resolve, 800));

  const now = await sh(world, 'arenactl prefetch checkpoints/growing.safetensors');
  t.regex(now.stdout + now.stderr, /still being written|settling/);
  t.notRegex(now.stdout + now.stderr, /not in the library/);

  const waiting = sh(world, 'arenactl prefetch checkpoints/growing.safetensors --wait', { timeoutMs: 30_000 });
  await new Promise((resolve) => setTimeout(resolve, 1500));
  clearInterval(grower);
  const done = await waiting;
  t.is(done.code, 0, done.stdout + done.stderr);
  const size = fs.statSync(file).size;
  t.is(fs.statSync(path.join(world.cacheRoot, 'checkpoints', 'growing.safetensors')).size, size, 'the whole, settled file was copied');
});
