/**
 * Journey: the daemon's own files in a state no one meant — a lock left by
 * a pid that is now some other program, a folder where the ledger goes, a
 * state dir that is a file, a ledger that disagrees with a good cached
 * file. Start-up copes, or says exactly what to fix.
 */
import test from 'ava';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { arenactlJson, downloadModel, makeWorld, startArenad, until } from './helpers/product.js';

const MB = 1_000_000;

test.serial('a lock naming a live pid that is not an arenad, written without a start time, does not block the start', async (t) => {
  const world = await makeWorld(t);
  const other = spawn('sleep', ['60'], { stdio: 'ignore' });
  t.teardown(() => other.kill());
  fs.mkdirSync(world.stateDir, { recursive: true });
  fs.writeFileSync(path.join(world.stateDir, 'arenad.lock'), `${JSON.stringify({ pid: other.pid, since: Date.now() })}\n`);
  const daemon = await startArenad(t, world);
  t.regex(daemon.output(), /ready/);
});

test.serial('a folder where the ledger goes is set aside, and a state dir that is a file is named with what to do', async (t) => {
  const world = await makeWorld(t);
  fs.mkdirSync(path.join(world.stateDir, 'ledger.json'), { recursive: true });
  const daemon = await startArenad(t, world);
  t.regex(daemon.output(), /ledger path was a folder; moved it aside/);
  t.is(await daemon.stop(), 0);
  t.false(fs.existsSync(path.join(world.stateDir, 'ledger.json')) && fs.statSync(path.join(world.stateDir, 'ledger.json')).isDirectory());
  t.true(
    fs.readdirSync(world.stateDir).some((name) => name.startsWith('ledger.json.not-a-ledger-')),
    'the folder is kept aside',
  );

  const blocked = await makeWorld(t);
  fs.mkdirSync(path.dirname(blocked.stateDir), { recursive: true });
  fs.writeFileSync(blocked.stateDir, 'not a folder');
  const refused = await startArenad(t, blocked, { ready: false });
  t.is(await refused.exited, 1);
  t.regex(refused.output(), /state\.dir \S+ is a file, or lies under one, not a folder; move the file away, or set state\.dir/);
  t.notRegex(refused.output(), /\n\s+at /, 'no stack trace');
});

test.serial('a ledger entry with a wrong size keeps a valid cached file: it is re-checked by hash', async (t) => {
  const world = await makeWorld(t);
  downloadModel(path.join(world.nas, 'checkpoints', 'm.safetensors'), 4 * MB);
  let daemon = await startArenad(t, world);
  await until(
    async () => (await arenactlJson<{ library: { models: number } }>(world, 'status')).library.models === 1,
    8000,
    () => 'the model in the catalog',
  );
  await arenactlJson(world, 'prefetch checkpoints/m.safetensors --wait');
  t.is(await daemon.stop(), 0);
  const ledgerFile = path.join(world.stateDir, 'ledger.json');
  fs.writeFileSync(ledgerFile, fs.readFileSync(ledgerFile, 'utf8').replace('"size": 4000000', '"size": 4000001'));

  daemon = await startArenad(t, world);
  const ls = await arenactlJson<{ entries: Array<{ key: string; state: string }> }>(world, 'ls');
  t.deepEqual(
    ls.entries.map((entry) => [entry.key, entry.state]),
    [['checkpoints/m.safetensors', 'cached']],
  );
  t.notRegex(daemon.output(), /copying to the SSD/, 'kept, not copied again');
});
