import fs from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { parse } from 'yaml';
import type { MigrationReport } from '../../../src/comfy/migrate.js';
import { arenactl } from '../../helpers/cli-run.js';
import { spawnDaemon } from '../../helpers/daemon-process.js';
import { ADOPTABLE, ADOPTED_BYTES, legacyCache, runMigrate } from '../../helpers/legacy-cache.js';
import { treeSnapshot } from '../../helpers/legacy-comfy.js';
import { sha256Of } from '../../helpers/model-files.js';

function byKey<T extends { key: string }>(items: readonly T[]): Record<string, T> {
  return Object.fromEntries(items.map((item) => [item.key, item]));
}

test('migrate adopts the old cache in both layouts; the daemon then serves it with nothing copied', async (t) => {
  const s = await legacyCache(t);
  const { legacy } = s;
  const result = await runMigrate(s);
  t.is(result.code, 0, result.stderr);
  const report = result.json<MigrationReport>();

  // The old default folder became the cache root, and the config says so.
  t.is(report.cache.root, legacy.oldCache);
  t.deepEqual(report.cache.oldRoots, [legacy.oldCache]);
  t.deepEqual(parse(fs.readFileSync(legacy.configFile, 'utf8')), {
    comfy: { root: legacy.comfy },
    library: { roots: [legacy.nas] },
    cache: { maxBytes: '1GiB', root: legacy.oldCache },
  });

  const adopted = byKey(report.cache.adopted);
  t.deepEqual(Object.keys(adopted).sort(), Object.keys(ADOPTABLE).sort());
  t.like(adopted['checkpoints/sdxl.safetensors'], { how: 'in-place' });
  for (const key of ['loras/style.safetensors', 'text_encoders/t5xxl.safetensors', 'diffusion_models/flux.gguf'])
    t.like(adopted[key], { how: 'renamed' }, key);
  t.is(report.cache.adoptedBytes, ADOPTED_BYTES);
  for (const [key, model] of Object.entries(ADOPTABLE)) {
    const cached = path.join(legacy.oldCache, key);
    t.is(await sha256Of(cached), await sha256Of(path.join(legacy.nas, model.nas)), key);
    if (model.old !== key) t.false(fs.existsSync(path.join(legacy.oldCache, model.old)), model.old);
  }
  // The model-type folders the moves emptied are gone.
  t.false(fs.existsSync(path.join(legacy.oldCache, 'loras', 'SDXL')));
  t.false(fs.existsSync(path.join(legacy.oldCache, 'unet_models')));

  const removed = Object.fromEntries(report.cache.removed.map((file) => [path.relative(legacy.oldCache, file.path), file.reason]));
  t.deepEqual(Object.keys(removed).sort(), [
    '.arena_cache_index.json',
    'checkpoints/big.safetensors.part',
    'gguf_models/flux.gguf',
    'loras/style.safetensors.copying',
  ]);
  t.regex(removed['gguf_models/flux.gguf']!, /a second copy of diffusion_models\/flux\.gguf/);
  for (const file of Object.keys(removed)) t.false(fs.existsSync(path.join(legacy.oldCache, file)), file);

  const unmatched = Object.fromEntries(report.cache.unmatched.map((file) => [path.relative(legacy.oldCache, file.path), file]));
  t.deepEqual(Object.keys(unmatched).sort(), ['checkpoints/SD1.5/orphan.safetensors', 'loras/old-style.safetensors', 'vae/v.safetensors']);
  t.regex(unmatched['checkpoints/SD1.5/orphan.safetensors']!.reason, /the library has no model named orphan\.safetensors/);
  t.regex(unmatched['loras/old-style.safetensors']!.reason, /it has 2097152 bytes, the library's loras\/old-style\.safetensors has 1048576/);
  t.regex(unmatched['vae/v.safetensors']!.reason, /its content differs/);
  t.is(report.cache.unmatchedDir, path.join(legacy.oldCache, '.arena-unmatched'));
  for (const [relative, file] of Object.entries(unmatched)) {
    t.is(file.movedTo, path.join(legacy.oldCache, '.arena-unmatched', relative));
    t.true(fs.existsSync(file.movedTo!), relative);
  }

  const ledger = JSON.parse(fs.readFileSync(report.ledger.file, 'utf8')) as {
    entries: Array<{ category: string; name: string; sourcePath: string; sha256: string }>;
  };
  t.deepEqual(ledger.entries.map((entry) => `${entry.category}/${entry.name}`).sort(), Object.keys(ADOPTABLE).sort());
  t.is(
    byKey(ledger.entries.map((entry) => ({ ...entry, key: `${entry.category}/${entry.name}` })))['text_encoders/t5xxl.safetensors']!.sourcePath,
    path.join(legacy.nas, 'clip', 't5xxl.safetensors'),
  );
  t.false(fs.existsSync(legacy.envFile));
  t.deepEqual(report.oldNodes, [{ path: s.oldNode, disabled: false }]);

  // The real daemon with the written config: the adopted files are cached at once, nothing is copied.
  const daemon = await spawnDaemon(t, { home: legacy.home, env: { ARENA_CONFIG: legacy.configFile } });
  await daemon.waitForState((status) => status.library.models === 6, 'the library scanned');
  const entries = (await daemon.request('ls')).entries;
  t.deepEqual(
    entries
      .filter((entry) => entry.state === 'cached')
      .map((entry) => entry.key)
      .sort(),
    Object.keys(ADOPTABLE).sort(),
  );
  const stats = await daemon.request('stats');
  t.like(stats, { cache: { files: 4, bytes: ADOPTED_BYTES }, prefetch: { bytesCopied: 0, completed: 0, active: 0, queued: 0 } });
  const prefetch = await daemon.request('prefetch', {
    models: Object.keys(ADOPTABLE).map((key) => ({ category: key.split('/')[0]!, name: key.split('/').slice(1).join('/') })),
  });
  t.deepEqual(
    prefetch.outcomes.map((outcome) => outcome.status),
    ['cached', 'cached', 'cached', 'cached'],
  );
  t.like(await daemon.request('stats'), { prefetch: { bytesCopied: 0, queued: 0, active: 0 } });
  t.notRegex(daemon.output(), /Removed a cached file at start-up/);
  for (const file of Object.values(unmatched)) t.true(fs.existsSync(file.movedTo!));

  // The next step: comfy link takes the running daemon's cache root and ComfyUI, whatever this shell says.
  const link = await arenactl(['comfy', 'link', '--json'], legacy.home, { ARENA_SOCKET: daemon.socketPath });
  t.is(link.code, 0, link.stderr);
  t.like(link.json(), { action: 'created', cacheRoot: legacy.oldCache, file: path.join(legacy.comfy, 'extra_model_paths.yaml') });
  t.like(parse(fs.readFileSync(path.join(legacy.comfy, 'extra_model_paths.yaml'), 'utf8')), {
    arena_cache: { base_path: legacy.oldCache, is_default: true, diffusion_models: 'diffusion_models' },
  });

  // While the daemon runs, migrate refuses: its recovery owns the tree.
  const refused = await runMigrate(s);
  t.is(refused.code, 1);
  t.like(refused.json(), { error: { code: 'E_DAEMON_RUNNING' } });
  t.regex(refused.stderr, /stop it first/);
  t.is((await runMigrate(s, '--dry-run')).code, 0);

  // A second run after the daemon stopped finds everything in place.
  daemon.signal('SIGTERM');
  t.is(await daemon.exited, 0);
  const again = await runMigrate(s);
  t.is(again.code, 0, again.stderr);
  const second = again.json<MigrationReport>();
  t.deepEqual(
    second.cache.adopted.map((file) => file.how),
    ['in-place', 'in-place', 'in-place', 'in-place'],
  );
  t.deepEqual(second.cache.removed, []);
  t.deepEqual(second.cache.unmatched, []);
  t.is(second.config.action, 'unchanged');
  t.is(second.ledger.entries, 4);
});

test('--dry-run changes nothing in the tree, and says what it would do', async (t) => {
  const s = await legacyCache(t);
  const before = treeSnapshot(s.legacy.home);
  const result = await runMigrate(s, '--dry-run');
  t.is(result.code, 0, result.stderr);
  const report = result.json<MigrationReport>();
  t.true(report.dryRun);
  t.deepEqual(report.cache.adopted.map((file) => file.key).sort(), Object.keys(ADOPTABLE).sort());
  t.like(byKey(report.cache.adopted)['loras/style.safetensors'], { how: 'renamed' });
  t.is(report.cache.removed.length, 4);
  t.is(report.cache.unmatched.length, 3);
  t.is(report.envFileMovedTo, null);
  t.is(report.config.action, 'created');
  t.deepEqual(treeSnapshot(s.legacy.home), before);

  const text = await arenactl(['migrate', '--from', s.legacy.comfy, '--config', s.legacy.configFile, '--dry-run'], s.legacy.home, s.env);
  t.regex(text.stdout, /would adopt 4 files, /);
  t.regex(text.stdout, /would remove 4 leftovers/);
  t.regex(text.stdout, /would move to .*\.arena-unmatched/);
  t.deepEqual(treeSnapshot(s.legacy.home), before);
});
