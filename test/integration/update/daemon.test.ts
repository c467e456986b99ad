import test from 'ava';
import fs from 'node:fs/promises';
import path from 'node:path';
import { stringify } from 'yaml';
import { ControlClient } from '../../../src/control/control-client.js';
import type { EventMessage } from '../../../src/control/protocol.js';
import type { HistoryResult, UpdateReport, UpdatesStatus } from '../../../src/control/contract/update.js';
import { arenactl } from '../../helpers/cli-run.js';
import { spawnDaemon } from '../../helpers/daemon-process.js';
import { FakeHub, sha256Hex } from '../../helpers/fake-hub.js';
import { fileSha, randomModel } from '../../helpers/fake-hub-harness.js';
import { eventually } from '../../helpers/raw-socket.js';
import { tempDir } from '../../helpers/temp-dir.js';

const TOY = 'checkpoints/toy.safetensors';

test('the daemon runs the updater: status section, socket commands, events, the SSD copy evicted before the swap, no token anywhere', async (t) => {
  const hub = await FakeHub.start(t);
  const home = await tempDir(t, 'arena-update-daemon-');
  const nas = path.join(home, 'nas');
  const cacheRoot = path.join(home, 'ssd');
  const manifest = path.join(home, 'manifest.yaml');
  await fs.mkdir(path.join(nas, 'checkpoints'), { recursive: true });
  await fs.writeFile(
    manifest,
    stringify({
      models: [
        { target: TOY, hf: { repo: 'acme/toy', file: 'toy.safetensors' } },
        { target: 'loras/broken.safetensors', civitai: {} },
      ],
    }),
  );
  const v1 = randomModel(3 * 1024 * 1024);
  const v2 = randomModel(4 * 1024 * 1024);
  hub.publishHf('acme/toy', 'toy.safetensors', v1);
  await fs.writeFile(path.join(nas, TOY), v1);
  const past = new Date(Date.now() - 3_600_000);
  await fs.utimes(path.join(nas, TOY), past, past);
  hub.publishHf('acme/toy', 'toy.safetensors', v2);

  const daemon = await spawnDaemon(t, {
    home,
    env: {
      ARENA_LIBRARY_ROOTS: nas,
      ARENA_CACHE_ROOT: cacheRoot,
      ARENA_UPDATES_MANIFEST: manifest,
      ARENA_UPDATE_WINDOWS: 'Sat 02:00-05:00',
      ARENA_HF_ENDPOINT: hub.endpoint,
      ARENA_CIVITAI_ENDPOINT: hub.endpoint,
      HF_TOKEN: hub.tokens.hf,
    },
  });
  const env = { ARENA_SOCKET: daemon.socketPath };
  await daemon.waitForState((status) => status.library.models === 1, 'the library scanned');

  const status = await daemon.status();
  t.is(status.state, 'degraded', 'a malformed manifest entry is a problem');
  t.true(status.problems.some((problem) => /entry 2 .*loras\/broken\.safetensors/.test(problem)));
  t.like(status.updates, { manifest, tracked: 1, windows: 'Sat 02:00-05:00', credentials: { hf: true, civitai: false } });
  t.truthy((status.updates as unknown as UpdatesStatus).nextWindow ?? (status.updates as unknown as UpdatesStatus).currentWindow);

  const prefetch = await arenactl(['prefetch', TOY, '--wait'], home, env);
  t.is(prefetch.code, 0, prefetch.stderr);
  t.is(await fileSha(path.join(cacheRoot, TOY)), sha256Hex(v1));

  const check = await arenactl(['update', 'check', TOY, '--json'], home, env);
  t.is(check.code, 0, check.stderr);
  t.like(check.json<UpdateReport>().entries[0], { target: TOY, status: 'available' });
  t.notRegex(check.stderr, /not running/, 'the daemon answered');

  const events: EventMessage[] = [];
  const client = await ControlClient.connect(daemon.socketPath);
  t.teardown(() => client.close());
  await client.subscribe(['update', 'cache'], (event) => events.push(event));

  const run = await arenactl(['update', 'run', TOY, '--json'], home, env);
  t.is(run.code, 0, run.stderr);
  t.like(run.json<UpdateReport>().entries[0], { target: TOY, status: 'updated' });
  t.regex(run.stderr, /installed checkpoints\/toy\.safetensors/);
  t.is(await fileSha(path.join(nas, TOY)), sha256Hex(v2));
  await eventually(() => events.some((event) => event.event === 'update.installed'), 10_000, 'the installed event');
  const evicted = events.findIndex((event) => event.event === 'cache.evicted' && event.key === TOY);
  const installed = events.findIndex((event) => event.event === 'update.installed');
  t.true(evicted >= 0 && evicted < installed, 'the SSD copy is evicted before the update is installed');
  t.true(events.some((event) => event.event === 'update.progress' || event.event === 'update.started'));
  // No SSD copy (none made since the eviction) is as good as a copy of the new file.
  const cached = await fs.readFile(path.join(cacheRoot, TOY)).catch(() => undefined);
  t.true(cached === undefined || sha256Hex(cached) === sha256Hex(v2), 'the cache never holds the old file after the swap');

  const history = await arenactl(['update', 'history', '--json'], home, env);
  t.like(history.json<HistoryResult>().records, [{ action: 'update', target: TOY, trigger: 'manual' }]);
  const rollback = await arenactl(['update', 'rollback', TOY], home, env);
  t.is(rollback.code, 0, rollback.stderr);
  t.is(await fileSha(path.join(nas, TOY)), sha256Hex(v1));

  const updateStatus = await arenactl(['update', 'status'], home, env);
  t.is(updateStatus.code, 0, updateStatus.stderr);
  t.regex(updateStatus.stdout, /manifest\s+.*\(1 tracked\)/);
  t.regex(updateStatus.stdout, /Hugging Face set, CivitAI not set/);

  const offline = await arenactl(['update', 'run'], home, {
    ...env,
    ARENA_SOCKET: path.join(home, 'elsewhere.sock'),
    ARENA_STATE_DIR: path.join(home, '.local', 'state', 'arena'),
    ARENA_UPDATES_MANIFEST: manifest,
  });
  t.is(offline.code, 1);
  t.regex(offline.stderr, /arenad \(pid \d+\) is updating models/, 'a second updater on the same state folder is refused');

  daemon.signal('SIGTERM');
  t.is(await daemon.exited, 0);
  const everything = [
    daemon.output(),
    JSON.stringify(status),
    check.stdout,
    run.stdout,
    run.stderr,
    history.stdout,
    updateStatus.stdout,
    await fs.readFile(path.join(home, '.local', 'state', 'arena', 'updates.ndjson'), 'utf8'),
  ];
  for (const text of everything) t.false(text.includes(hub.tokens.hf), 'the token never shows');
});
