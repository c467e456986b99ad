/**
 * Journeys: the updater of the built daemon against a local hub that drips,
 * answers without end, or echoes the token it was sent. The user's side is
 * arenactl in a shell, a socket subscription and the files in their home.
 */
import test from 'ava';
import fs from 'node:fs';
import path from 'node:path';
import { FakeHub, sha256Hex } from '../helpers/fake-hub.js';
import { RawSocket } from '../helpers/raw-socket.js';
import { downloadModel, makeWorld, sh, startArenad, until, type World } from './helpers/product.js';

const MiB = 1024 * 1024;

/** `~/.config/arena/config.yaml` pointing the updater at the local hub, and `~/manifest.yaml`. */
function configureUpdates(world: World, hub: FakeHub, models: string, extra = ''): void {
  const configDir = path.join(world.home, '.config', 'arena');
  fs.mkdirSync(configDir, { recursive: true });
  fs.writeFileSync(
    path.join(configDir, 'config.yaml'),
    `updates:\n  manifest: ~/manifest.yaml\n  hfEndpoint: ${hub.endpoint}\n  civitaiEndpoint: ${hub.endpoint}\n${extra}`,
  );
  fs.writeFileSync(path.join(world.home, 'manifest.yaml'), `models:\n${models}`);
}

/** A model in the NAS library now, and a newer version of it on the hub; returns the new bytes. */
function newerOnHub(world: World, hub: FakeHub, repo: string, name: string): Buffer {
  downloadModel(path.join(world.nas, 'checkpoints', name), 256 * 1024);
  const v2 = Buffer.alloc(MiB, name);
  hub.publishHf(repo, name, v2);
  return v2;
}

function shaOf(file: string): string {
  return sha256Hex(fs.readFileSync(file));
}

/** The daemon's peak resident memory so far, from the kernel. */
function peakRssBytes(pid: number): number {
  const line = fs
    .readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((text) => text.startsWith('VmHWM:'))!;
  return Number(/(\d+)\s*kB/.exec(line)![1]) * 1024;
}

test('update run against a hub that drips one model: that model fails with E_DOWNLOAD_SLOW, the other is installed, and the run ends', async (t) => {
  const hub = await FakeHub.start(t);
  const world = await makeWorld(t);
  configureUpdates(
    world,
    hub,
    '  - target: checkpoints/toy.safetensors\n    hf: {repo: acme/toy, file: toy.safetensors}\n  - target: checkpoints/other.safetensors\n    hf: {repo: acme/other, file: other.safetensors}\n',
    '  stallTimeout: 1s\n  minRate: 100kB/s\n',
  );
  const toyV2 = newerOnHub(world, hub, 'acme/toy', 'toy.safetensors');
  const otherV2 = newerOnHub(world, hub, 'acme/other', 'other.safetensors');
  const toyBefore = shaOf(path.join(world.nas, 'checkpoints', 'toy.safetensors'));
  hub.dripDownloads({ sha256: sha256Hex(toyV2), bytes: 1, everyMs: 200, times: 100 });
  await startArenad(t, world);

  const run = await sh(world, 'arenactl update run 2>run.err | cat', { timeoutMs: 90_000 });
  t.is(run.code, 1, `arenactl update run ends, and says an entry failed:\n${run.stdout}`);
  const toyLine = run.stdout.split('\n').find((line) => line.includes('checkpoints/toy.safetensors')) ?? '';
  t.regex(
    toyLine,
    /^error\s+checkpoints\/toy\.safetensors\s+Hugging Face sent acme\/toy\/toy\.safetensors .*too slowly from localhost:\d+: \d+ B\/s over the last 1 s, below updates\.minRate \(100 kB\/s\)/,
  );
  t.regex(run.stdout, /^updated\s+checkpoints\/other\.safetensors/m);
  t.regex(fs.readFileSync(path.join(world.home, 'run.err'), 'utf8'), /failed checkpoints\/toy\.safetensors: Hugging Face sent .* too slowly/);

  t.is(shaOf(path.join(world.nas, 'checkpoints', 'other.safetensors')), sha256Hex(otherV2));
  t.is(shaOf(path.join(world.nas, 'checkpoints', 'toy.safetensors')), toyBefore, 'the library file of the slow model is untouched');
  const listing = await sh(world, `ls -A ${world.nas}/checkpoints`);
  t.deepEqual(listing.stdout.trim().split('\n'), ['other.safetensors', 'toy.safetensors'], 'no partial download among the models');
  const check = await sh(world, 'arenactl update check --json');
  t.like(JSON.parse(check.stdout), {
    entries: [
      { target: 'checkpoints/toy.safetensors', status: 'available' },
      { target: 'checkpoints/other.safetensors', status: 'up-to-date' },
    ],
  });
});

test('a hub whose API answer never ends: E_HUB_RESPONSE naming it, the daemon keeps answering, and it read little of it', async (t) => {
  const hub = await FakeHub.start(t);
  const world = await makeWorld(t);
  configureUpdates(
    world,
    hub,
    '  - target: checkpoints/toy.safetensors\n    hf: {repo: acme/toy, file: toy.safetensors}\n  - target: checkpoints/other.safetensors\n    hf: {repo: acme/other, file: other.safetensors}\n',
  );
  newerOnHub(world, hub, 'acme/toy', 'toy.safetensors');
  newerOnHub(world, hub, 'acme/other', 'other.safetensors');
  const daemon = await startArenad(t, world);
  const answer = hub.endlessJson('/api/models/acme/toy/revision');

  const check = await sh(world, 'arenactl update check --json', { timeoutMs: 90_000 });
  t.is(check.code, 1, check.stderr);
  const report = JSON.parse(check.stdout) as { entries: Array<{ target: string; status: string; error?: { code: string; message: string } }> };
  t.like(report.entries[0], { target: 'checkpoints/toy.safetensors', status: 'error', error: { code: 'E_HUB_RESPONSE' } });
  t.true(
    report.entries[0]!.error!.message.startsWith(`Hugging Face answered ${hub.endpoint}/api/models/acme/toy/revision/main with more than 8 MiB`),
    report.entries[0]!.error!.message,
  );
  t.like(report.entries[1], { target: 'checkpoints/other.safetensors', status: 'available' });

  const status = await sh(world, 'arenactl status --json');
  t.is(status.code, 0, 'the daemon still answers');
  t.not((JSON.parse(status.stdout) as { state: string }).state, 'starting');
  await answer.done;
  t.true(answer.bytesSent < 48 * MiB, `the daemon stopped reading near the cap: the hub sent ${answer.bytesSent} bytes`);
  t.true(peakRssBytes(daemon.process.pid!) < 400 * MiB, `the daemon's peak memory stayed small: ${peakRssBytes(daemon.process.pid!)} bytes`);
});

test('a hub that echoes the Authorization header: no token in arenactl update output, subscribe events, the history or the log', async (t) => {
  const hub = await FakeHub.start(t);
  hub.echoAuthorization = true;
  const world = await makeWorld(t, { env: { HF_TOKEN: hub.tokens.hf, CIVITAI_TOKEN: hub.tokens.civitai } });
  configureUpdates(
    world,
    hub,
    '  - target: checkpoints/private.safetensors\n    hf: {repo: acme/private, file: private.safetensors}\n  - target: loras/style.safetensors\n    civitai: {modelId: 1234}\n',
  );
  hub.publishHf('acme/private', 'private.safetensors', Buffer.alloc(4096, 1));
  hub.refuse('/api/models/acme/private', 100);
  hub.publishCivitai(1234, { files: [{ name: 'style.safetensors', bytes: Buffer.alloc(3000, 2) }], requiresToken: true });
  const daemon = await startArenad(t, world);
  const events = await RawSocket.connect(world.socket);
  t.teardown(() => events.close());
  events.write(`${JSON.stringify({ id: 1, cmd: 'subscribe', args: { topics: ['update'] } })}\n`);
  await events.waitFor(1);

  const check = await sh(world, 'arenactl update check --json');
  t.is(check.code, 1);
  t.like(JSON.parse(check.stdout), {
    entries: [{ target: 'checkpoints/private.safetensors', status: 'error', error: { code: 'E_HUB_AUTH' } }, { status: 'available' }],
  });
  t.regex(check.stdout, /invalid credentials in \\"Authorization: Bearer \[REDACTED\]\\"/, "the hub's words are kept, the token is not");
  const run = await sh(world, 'arenactl update run 2>&1 | cat');
  t.regex(run.stdout, /^updated\s+loras\/style\.safetensors/m);
  t.regex(run.stdout, /^error\s+checkpoints\/private\.safetensors\s+Hugging Face refused acme\/private \(401\)/m);
  const runJson = await sh(world, 'arenactl update run checkpoints/private.safetensors --json');
  const status = await sh(world, 'arenactl update status --json');
  const history = await sh(world, 'arenactl update history');
  await until(
    () => events.messages.some((message) => (message as { event?: string }).event === 'update.failed'),
    10_000,
    () => 'an update.failed event on the subscription',
  );
  const historyFile = fs.readFileSync(path.join(world.stateDir, 'updates.ndjson'), 'utf8');
  t.regex(historyFile, /"versionName":"v1 \(invalid credentials in \\"Authorization: Bearer \[REDACTED\]\\"; the token \[REDACTED\] has expired\)"/);

  const seen = {
    'update check --json': check.stdout + check.stderr,
    'update run': run.stdout,
    'update run --json': runJson.stdout + runJson.stderr,
    'update status --json': status.stdout,
    'update history': history.stdout,
    'the subscription': JSON.stringify(events.messages),
    'the history file': historyFile,
    'the daemon log': daemon.output(),
  };
  for (const [where, text] of Object.entries(seen)) {
    for (const token of Object.values(hub.tokens)) t.false(text.includes(token), `${where} shows the token ${token}`);
  }
});
