/**
 * Journey: arenactl answers "queued", and the machine dies a moment later.
 * What the user was told is queued is still queued after the restart.
 */
import test from 'ava';
import path from 'node:path';
import { arenactlJson, downloadModel, makeWorld, sh, startArenad, until } from './helpers/product.js';

const MB = 1_000_000;

interface LsEntry {
  key: string;
  state: string;
}

test.serial('a prefetch answered just before a SIGKILL is still wanted after the restart', async (t) => {
  const world = await makeWorld(t);
  // A library with models to copy; the copies are slow enough to be running when the kill comes.
  for (let index = 0; index < 3; index += 1) downloadModel(path.join(world.nas, 'checkpoints', `m${index}.safetensors`), 64 * MB);
  await new Promise((resolve) => setTimeout(resolve, 2500));
  for (let round = 0; round < 3; round += 1) {
    const daemon = await startArenad(t, world, { env: { ARENA_PREFETCH_CONCURRENCY: '1' } });
    const key = `checkpoints/m${round}.safetensors`;
    // The kill follows the answer at once, in the same shell line, as a crash would.
    const run = await sh(world, `arenactl prefetch ${key} --json && kill -9 ${daemon.process.pid}`);
    t.is(run.code, 0, run.stderr);
    t.regex(run.stdout, /"status":\s*"(queued|copying)"/);
    await daemon.exited;

    const restarted = await startArenad(t, world, { env: { ARENA_PREFETCH_CONCURRENCY: '1' } });
    await until(
      async () => (await arenactlJson<{ entries: LsEntry[] }>(world, 'ls')).entries.some((entry) => entry.key === key),
      5000,
      () => `${key} queued, copying or cached after the restart`,
    );
    t.is(await restarted.stop(), 0);
  }
});
