/**
 * Journey: a shared NAS that many people can write to, a home folder other
 * users can look into, and a shell with a loose umask. Nothing outside the
 * library is copied, and nothing the daemon writes is readable by another
 * local user.
 */
import test from 'ava';
import fs from 'node:fs';
import path from 'node:path';
import { arenactlJson, downloadModel, makeWorld, sh, startArenad, until } from '../../journeys/helpers/product.js';

const MB = 1_000_000;

function mode(target: string): string {
  return (fs.statSync(target).mode & 0o777).toString(8).padStart(4, '0');
}

test.serial('a link on the NAS to a root-only file is not catalogued or copied, and the cache is not readable by other users', async (t) => {
  const world = await makeWorld(t);
  // A home others may enter (as on many systems), and a NAS anyone may write to.
  fs.chmodSync(world.base, 0o755);
  fs.chmodSync(world.home, 0o755);
  fs.chmodSync(world.nas, 0o777);
  fs.chmodSync(path.join(world.nas, 'checkpoints'), 0o777);
  const secret = path.join(world.base, 'secret.safetensors');
  fs.writeFileSync(secret, 'not for everyone', { mode: 0o600 });
  downloadModel(path.join(world.nas, 'checkpoints', 'ok.safetensors'), 2 * MB);
  // Another local user plants the links.
  const plant = await sh(
    world,
    `runuser -u nobody -- ln -s ${secret} ${world.nas}/checkpoints/s.safetensors && runuser -u nobody -- ln -s /etc/shadow ${world.nas}/checkpoints/shadow.safetensors`,
  );
  t.is(plant.code, 0, plant.stderr);

  const daemon = await startArenad(t, world, { shellPrefix: 'umask 0000;' });
  await until(
    async () => (await arenactlJson<{ library: { models: number } }>(world, 'status')).library.models >= 1,
    8000,
    () => 'the library scanned',
  );
  const status = await arenactlJson<{ library: { models: number } }>(world, 'status');
  t.is(status.library.models, 1, 'only the real model is in the catalog');

  const refused = await sh(world, 'arenactl prefetch checkpoints/s.safetensors --wait');
  t.regex(refused.stdout + refused.stderr, /not in the library/);
  t.false(fs.existsSync(path.join(world.cacheRoot, 'checkpoints', 's.safetensors')));

  const copied = await sh(world, 'arenactl prefetch checkpoints/ok.safetensors --wait');
  t.is(copied.code, 0, copied.stderr);
  const cached = path.join(world.cacheRoot, 'checkpoints', 'ok.safetensors');
  t.is(mode(cached), '0600');
  t.is(mode(world.cacheRoot), '0700');
  t.is(mode(path.join(world.cacheRoot, 'checkpoints')), '0700');
  const read = await sh(world, `runuser -u nobody -- cat ${cached}`);
  t.not(read.code, 0, 'another user cannot read the cached copy');
  t.is(await daemon.stop(), 0);
  t.is(mode(world.stateDir), '0700');
  for (const file of fs.readdirSync(world.stateDir)) t.is(mode(path.join(world.stateDir, file)), '0600', file);
});

test.serial('files an older version left world-readable are made private at start', async (t) => {
  const world = await makeWorld(t);
  fs.mkdirSync(world.stateDir, { recursive: true, mode: 0o755 });
  fs.chmodSync(world.stateDir, 0o755);
  fs.writeFileSync(path.join(world.stateDir, 'usage.ndjson'), '', { mode: 0o644 });
  fs.chmodSync(path.join(world.stateDir, 'usage.ndjson'), 0o644);
  await startArenad(t, world);
  t.is(mode(world.stateDir), '0700');
  t.is(mode(path.join(world.stateDir, 'usage.ndjson')), '0600');
});
