import fs from 'node:fs';
import path from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { nodePackageDir } from '../../src/comfy/node-package.js';
import { findOldNodes, isOldNodeFolder } from '../../src/comfy/old-nodes.js';
import { arenactl } from '../helpers/cli-run.js';
import { legacyComfy, oldCustomNode, writeText, type LegacyComfy } from '../helpers/legacy-comfy.js';
import { tempDir } from '../helpers/temp-dir.js';

async function setup(t: ExecutionContext): Promise<{ legacy: LegacyComfy; env: NodeJS.ProcessEnv; target: string }> {
  const home = await tempDir(t);
  const legacy = legacyComfy(home);
  const env = {
    ARENA_CONFIG: writeText(path.join(home, 'arena.yaml'), ''),
    ARENA_SOCKET: path.join(home, 'run', 'arenad.sock'),
    ARENA_COMFY_ROOT: legacy.comfy,
  };
  return { legacy, env, target: path.join(legacy.comfy, 'custom_nodes', 'ComfyUI_Arena') };
}

test('install-nodes links the package into custom_nodes; a second run changes nothing', async (t) => {
  const { legacy, env, target } = await setup(t);
  const first = await arenactl(['comfy', 'install-nodes', '--json'], legacy.home, env);
  t.is(first.code, 0, first.stderr);
  t.like(first.json(), { action: 'installed', mode: 'symlink', target, restartComfy: true });
  t.is(fs.realpathSync(target), fs.realpathSync(nodePackageDir()));
  t.true(fs.existsSync(path.join(target, '__init__.py')));

  const again = await arenactl(['comfy', 'install-nodes'], legacy.home, env);
  t.is(again.code, 0);
  t.regex(again.stdout, /already installed/);
  t.notRegex(again.stdout, /Restart ComfyUI/);
});

test('--copy replaces the link with a copy, without Python caches', async (t) => {
  const { legacy, env, target } = await setup(t);
  await arenactl(['comfy', 'install-nodes'], legacy.home, env);
  const result = await arenactl(['comfy', 'install-nodes', '--copy', '--json'], legacy.home, env);
  t.is(result.code, 0, result.stderr);
  t.like(result.json(), { action: 'updated', mode: 'copy' });
  t.false(fs.lstatSync(target).isSymbolicLink());
  const files = fs.readdirSync(target, { recursive: true }).map(String);
  t.true(files.includes('__init__.py'));
  t.true(files.includes(path.join('web', 'arena_status_badge.js')));
  t.false(files.some((file) => file.includes('__pycache__')));
  t.deepEqual(await findOldNodes(legacy.comfy), []);
});

test('the old nodes in the target folder are refused, and renamed to .disabled with --disable-old', async (t) => {
  const { legacy, env, target } = await setup(t);
  oldCustomNode(legacy, 'ComfyUI_Arena');
  const refused = await arenactl(['comfy', 'install-nodes', '--json'], legacy.home, env);
  t.is(refused.code, 1);
  t.like(refused.json(), { error: { code: 'E_NODES_INSTALL' } });
  t.regex(refused.stderr, /holds the old AutoCache nodes; run again with --disable-old/);
  t.false(fs.lstatSync(target).isSymbolicLink());

  const replaced = await arenactl(['comfy', 'install-nodes', '--disable-old', '--json'], legacy.home, env);
  t.is(replaced.code, 0, replaced.stderr);
  t.like(replaced.json(), { action: 'installed', disabled: [{ from: target, to: `${target}.disabled` }], oldNodesActive: [] });
  t.true(await isOldNodeFolder(`${target}.disabled`));
  t.true(fs.lstatSync(target).isSymbolicLink());
  t.deepEqual(await findOldNodes(legacy.comfy), [{ path: `${target}.disabled`, disabled: true }]);
});

test('old nodes elsewhere in custom_nodes are reported with how to turn them off', async (t) => {
  const { legacy, env } = await setup(t);
  const old = oldCustomNode(legacy, 'comfyui-arena-suite');
  const result = await arenactl(['comfy', 'install-nodes'], legacy.home, env);
  t.is(result.code, 0, result.stderr);
  t.regex(result.stdout, new RegExp(`The old AutoCache nodes in ${old} still patch`));
  t.regex(result.stdout, /ARENA_AUTO_CACHE_ENABLED=0/);
  t.regex(result.stdout, /--disable-old/);
});

test('something else in the way, or no custom_nodes folder, fails with what to do', async (t) => {
  const { legacy, env, target } = await setup(t);
  writeText(path.join(target, '__init__.py'), 'NODE_CLASS_MAPPINGS = {}\n');
  const other = await arenactl(['comfy', 'install-nodes'], legacy.home, env);
  t.is(other.code, 1);
  t.regex(other.stderr, /exists and is not the Arena nodes; move it away first/);

  const bare = path.join(legacy.home, 'NotComfy');
  fs.mkdirSync(bare);
  const missing = await arenactl(['comfy', 'install-nodes', '--comfy-root', bare, '--json'], legacy.home, env);
  t.is(missing.code, 1);
  t.like(missing.json(), { error: { code: 'E_COMFY_ROOT' } });
});

test('the new package is never taken for the old nodes, though it shares their class names', async (t) => {
  t.false(await isOldNodeFolder(nodePackageDir()));
  const source = fs.readFileSync(path.join(nodePackageDir(), 'arena_nodes.py'), 'utf8');
  t.true(source.includes('ArenaAutoCacheStats'));
});
