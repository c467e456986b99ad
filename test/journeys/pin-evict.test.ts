/**
 * Journey: pinning and evicting by name, with the typos and the models
 * still on their way that people actually have.
 */
import test from 'ava';
import path from 'node:path';
import { arenactlJson, checkpointWorkflow, downloadModel, makeWorld, saveWorkflow, sh, startArenad, until } from './helpers/product.js';

const MB = 1_000_000;

interface LsEntry {
  key: string;
  state: string;
  pinned: boolean;
}

test.serial('pin of a name the library lacks fails with a hint; pin of a wanted model holds once it lands', async (t) => {
  const world = await makeWorld(t);
  await startArenad(t, world);
  downloadModel(path.join(world.nas, 'checkpoints', 'dreamshaper_8.safetensors'), 2 * MB);
  await until(
    async () => (await arenactlJson<{ library: { models: number } }>(world, 'status')).library.models === 1,
    8000,
    () => 'the model in the catalog',
  );

  const typo = await sh(world, 'arenactl pin checkpoints/dreamshaper_7.safetensors');
  t.is(typo.code, 1, typo.stdout + typo.stderr);
  t.regex(typo.stderr, /not in the library \(did you mean checkpoints\/dreamshaper_8\.safetensors\?\)/);
  const prefetchTypo = await sh(world, 'arenactl prefetch checkpoints/dreamshaper_7.safetensors');
  t.regex(prefetchTypo.stdout + prefetchTypo.stderr, /did you mean checkpoints\/dreamshaper_8\.safetensors/);

  saveWorkflow(world, 'next.json', checkpointWorkflow('coming.safetensors'));
  await until(
    async () => (await arenactlJson<{ wanted: unknown[] }>(world, 'status')).wanted.length === 1,
    5000,
    () => 'the wanted model',
  );
  const pin = await sh(world, 'arenactl pin checkpoints/coming.safetensors');
  t.is(pin.code, 0, pin.stdout + pin.stderr);
  t.regex(pin.stdout, /pinned checkpoints\/coming\.safetensors/);
  downloadModel(path.join(world.nas, 'checkpoints', 'coming.safetensors'), 3 * MB);
  await until(
    async () =>
      (await arenactlJson<{ entries: LsEntry[] }>(world, 'ls')).entries.some(
        (entry) => entry.key === 'checkpoints/coming.safetensors' && entry.state === 'cached' && entry.pinned,
      ),
    8000,
    () => 'the pinned model cached once it landed',
  );
});

test.serial('evict of a pinned model refuses without --force, and removes it with it', async (t) => {
  const world = await makeWorld(t);
  await startArenad(t, world);
  downloadModel(path.join(world.nas, 'checkpoints', 'keep.safetensors'), 2 * MB);
  await until(
    async () => (await arenactlJson<{ library: { models: number } }>(world, 'status')).library.models === 1,
    8000,
    () => 'the model in the catalog',
  );
  t.is((await sh(world, 'arenactl prefetch checkpoints/keep.safetensors --wait')).code, 0);
  t.is((await sh(world, 'arenactl pin checkpoints/keep.safetensors')).code, 0);

  const refused = await sh(world, 'arenactl evict checkpoints/keep.safetensors');
  t.is(refused.code, 1);
  t.regex(refused.stderr, /pinned.*--force/);
  t.true((await arenactlJson<{ entries: LsEntry[] }>(world, 'ls')).entries.some((entry) => entry.key === 'checkpoints/keep.safetensors'));

  const forced = await sh(world, 'arenactl evict checkpoints/keep.safetensors --force');
  t.is(forced.code, 0, forced.stderr);
  t.deepEqual((await arenactlJson<{ entries: LsEntry[] }>(world, 'ls')).entries, []);
});
