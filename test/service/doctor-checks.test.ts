/**
 * Each doctor check passing and failing, on real folders, files and a local
 * HTTP server. The checks that need root (a FUSE mount, folders another user
 * owns) are in test/e2e/service/doctor-mounts-owners.test.ts.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { requestDaemon } from '../../src/cli/daemon-request.js';
import test from 'ava';
import { checkCacheSpace } from '../../src/doctor/cache-checks.js';
import { checkComfyPaths } from '../../src/doctor/comfy-paths.js';
import { checkDaemon, checkService } from '../../src/doctor/daemon-checks.js';
import { checkInotify, checkRoot, countFolders, rootGroups } from '../../src/doctor/roots.js';
import { checkUpdateEndpoints } from '../../src/doctor/updates.js';
import type { StatusResult } from '../../src/control/contract/daemon.js';
import type { ServiceStatus } from '../../src/service/service-status.js';
import { PACKAGE_VERSION } from '../helpers/package-version.js';
import { tempDir } from '../helpers/temp-dir.js';
import { writeFile } from '../helpers/platform.js';

// --- daemon and service ---

const status = (state: StatusResult['state'], problems: string[] = []) =>
  ({ version: PACKAGE_VERSION, pid: 7, uptimeSeconds: 65, state, problems, summary: 'cache 0 B · idle' }) as unknown as StatusResult;

test('daemon: ready passes, degraded warns with its problems, nothing on the socket fails with how to start it', async (t) => {
  const answering = (answer: StatusResult) => ({ socketPath: '/run/arena/arenad.sock', status: () => Promise.resolve(answer) });
  t.like(await checkDaemon(answering(status('ready'))), { status: 'pass' });
  const degraded = await checkDaemon(answering(status('degraded', ['library root /nas is missing'])));
  t.like(degraded, { status: 'warn' });
  t.regex(degraded.message, /library root \/nas is missing/);
  const socket = path.join(await tempDir(t), 'arenad.sock');
  const down = await checkDaemon({ socketPath: socket, status: () => requestDaemon(socket, 'status') });
  t.like(down, { id: 'daemon', status: 'fail' });
  t.regex(down.message, new RegExp(`nothing answers on ${socket}`));
  t.regex(down.fix!, /systemctl start arenad/);
});

const service = (fields: Partial<ServiceStatus>): ServiceStatus => ({
  mode: 'system',
  manager: 'systemd',
  unit: 'arenad.service',
  definitionFile: '/etc/systemd/system/arenad.service',
  installed: true,
  enabled: 'enabled',
  active: 'active',
  subState: 'running',
  mainPid: 12,
  statusText: 'cache 1 GB · idle',
  restarts: 0,
  ...fields,
});

test('service: running passes; stopped or failed fails with the start and journal commands; not installed and no systemd warn', (t) => {
  t.like(checkService(service({})), { status: 'pass', message: 'arenad.service active (running), pid 12: cache 1 GB · idle' });
  const failed = checkService(service({ active: 'failed', subState: 'failed', mainPid: null }));
  t.like(failed, { status: 'fail' });
  t.regex(failed.fix!, /sudo systemctl start arenad; journalctl -u arenad/);
  t.regex(checkService(service({ mode: 'user', active: 'inactive' })).fix!, /systemctl --user start arenad; journalctl --user-unit arenad/);
  t.like(checkService(service({ installed: false })), { status: 'warn' });
  t.regex(checkService(service({ installed: false })).fix!, /arenactl service install/);
  t.like(checkService(service({ error: 'systemctl show failed: System has not been booted with systemd' })), { status: 'warn' });
  t.like(checkService(service({ mode: 'user', linger: false })), { status: 'warn', fix: 'sudo loginctl enable-linger $USER' });
});

// --- extra_model_paths.yaml ---

async function comfyWith(t: Parameters<typeof tempDir>[0], yaml?: (cache: string, nas: string) => string) {
  const base = await tempDir(t);
  const comfy = path.join(base, 'ComfyUI');
  const cache = path.join(base, 'ssd', 'arena');
  const nas = path.join(base, 'nas');
  for (const dir of [path.join(comfy, 'models', 'checkpoints'), path.join(cache, 'checkpoints'), path.join(cache, 'loras'), path.join(nas, 'checkpoints'), path.join(nas, 'loras')]) {
    fs.mkdirSync(dir, { recursive: true });
  }
  if (yaml) fs.writeFileSync(path.join(comfy, 'extra_model_paths.yaml'), yaml(cache, nas));
  return { comfyRoot: comfy, cacheRoot: cache, env: {}, home: base };
}

const LIBRARY_SECTION = (nas: string) => `nas:\n  base_path: ${nas}\n  checkpoints: checkpoints\n  loras: loras\n`;
const CACHE_SECTION = (cache: string, isDefault = true) => `arena_cache:\n  base_path: ${cache}\n${isDefault ? '  is_default: true\n' : ''}  checkpoints: checkpoints\n  loras: loras\n`;

test('extra_model_paths.yaml: a cache section with is_default ahead of the library passes, whatever its name', async (t) => {
  const input = await comfyWith(t, (cache, nas) => `${LIBRARY_SECTION(nas)}${CACHE_SECTION(cache).replace('arena_cache', 'my_ssd')}`);
  const result = await checkComfyPaths(input);
  t.like(result, { id: 'comfy-paths', status: 'pass' });
  t.regex(result.message, /puts the cache first for 2 categories \(section 'my_ssd'\)/);
});

test('extra_model_paths.yaml: missing, not listing the cache, or listing it without is_default fails with the fix', async (t) => {
  const missing = await checkComfyPaths(await comfyWith(t));
  t.like(missing, { status: 'fail' });
  t.regex(missing.message, /does not exist, so ComfyUI never looks in the cache/);
  t.regex(missing.fix!, /arenactl comfy link/);

  const unlisted = await checkComfyPaths(await comfyWith(t, (_cache, nas) => LIBRARY_SECTION(nas)));
  t.like(unlisted, { status: 'fail' });
  t.regex(unlisted.message, /does not register the cache/);

  const notDefault = await checkComfyPaths(await comfyWith(t, (cache, nas) => `${LIBRARY_SECTION(nas)}${CACHE_SECTION(cache, false)}`));
  t.like(notDefault, { status: 'fail' });
  t.regex(notDefault.message, /section 'arena_cache' .* without is_default: true/);
  t.regex(notDefault.fix!, /restart ComfyUI/);
});

test('extra_model_paths.yaml: a library section with is_default after the cache puts the library first, and that fails', async (t) => {
  const input = await comfyWith(t, (cache, nas) => `${CACHE_SECTION(cache)}${LIBRARY_SECTION(nas).replace('  base_path', '  is_default: true\n  base_path')}`);
  const result = await checkComfyPaths(input);
  t.like(result, { status: 'fail' });
  t.regex(result.message, /the cache is not first for checkpoints \(.*nas\/checkpoints comes first\), loras/);
});

test('extra_model_paths.yaml: mistakes ComfyUI would trip on fail; no ComfyUI configured warns', async (t) => {
  const broken = await checkComfyPaths(await comfyWith(t, (cache) => `arena_cache:\n  base_path: ${cache}\n  is_default: true\n  checkpoints:\n    - checkpoints\n`));
  t.like(broken, { status: 'fail' });
  t.regex(broken.message, /a YAML list is not allowed for 'checkpoints'/);
  t.like(await checkComfyPaths({ comfyRoot: '', cacheRoot: '/c', env: {}, home: '/h' }), { status: 'warn' });
});

// --- roots and inotify ---

test('roots: a present root passes with its filesystem and watch mode; a missing one fails; a section with missing folders warns', async (t) => {
  const base = await tempDir(t);
  const nas = path.join(base, 'nas');
  fs.mkdirSync(path.join(nas, 'checkpoints'), { recursive: true });
  const comfy = path.join(base, 'ComfyUI');
  writeFile(path.join(comfy, 'extra_model_paths.yaml'), `share:\n  base_path: ${base}\n  checkpoints: nas/checkpoints\n  loras: gone/loras\n`);
  fs.mkdirSync(path.join(comfy, 'models'), { recursive: true });
  const groups = await rootGroups({ comfyRoot: comfy, libraryRoots: [nas, path.join(base, 'unmounted')], cacheRoot: path.join(base, 'cache'), env: {}, home: base });
  const byLabel = new Map(groups.map((group) => [group.label, group]));
  t.deepEqual([...byLabel.keys()].sort(), [`${path.join(comfy, 'models')} (models)`, `${nas} (library.roots)`, `${path.join(base, 'unmounted')} (library.roots)`, 'extra_model_paths.yaml#share'].sort());

  const present = await checkRoot(byLabel.get(`${nas} (library.roots)`)!, 'auto', 60);
  t.like(present.result, { id: 'root', status: 'pass' });
  t.regex(present.result.message, /: \w+, watched for changes$/);
  t.deepEqual(present.watched, [nas]);
  const polled = await checkRoot(byLabel.get(`${nas} (library.roots)`)!, 'always', 60);
  t.regex(polled.result.message, /polled every 1m/);
  t.deepEqual(polled.watched, [], 'polled roots take no inotify watches');

  const missing = await checkRoot(byLabel.get(`${path.join(base, 'unmounted')} (library.roots)`)!, 'auto', 60);
  t.like(missing.result, { status: 'fail' });
  t.regex(missing.result.fix!, /mount it/);

  const section = await checkRoot(byLabel.get('extra_model_paths.yaml#share')!, 'auto', 60);
  t.like(section.result, { status: 'warn' });
  t.regex(section.result.message, /1 of its folders is missing: .*gone\/loras/);
});

test('inotify: enough watches pass, more than half of the limit warns, over the limit fails with the sysctl fix', async (t) => {
  const base = await tempDir(t);
  const tree = path.join(base, 'tree');
  for (const dir of ['a/1', 'a/2', 'b']) fs.mkdirSync(path.join(tree, dir), { recursive: true });
  t.is(await countFolders([tree], 100), 5);
  const limit = (value: string) => writeFile(path.join(base, `limit-${value}`), `${value}\n`);

  t.like(await checkInotify({ os: 'linux', watched: [tree], limitFile: limit('1000') }), { status: 'pass', message: 'Arena watches 5 folders; the inotify watch limit is 1000' });
  t.like(await checkInotify({ os: 'linux', watched: [tree], limitFile: limit('8') }), { status: 'warn' });
  const over = await checkInotify({ os: 'linux', watched: [tree], limitFile: limit('4') });
  t.like(over, { status: 'fail' });
  t.regex(over.message, /the inotify watch limit \(4\) is below the 5 folders Arena watches/);
  t.regex(over.fix!, /fs\.inotify\.max_user_watches=\d+ \| sudo tee \/etc\/sysctl\.d\/90-arena\.conf/);
  t.like(await checkInotify({ os: 'linux', watched: [tree], limitFile: path.join(base, 'none') }), { status: 'warn' });
  t.like(await checkInotify({ os: 'darwin', watched: [tree] }), { status: 'pass' });
  t.like(await checkInotify({ os: 'linux', watched: [tree] }), { status: 'pass' }, 'the real limit of this machine covers five folders');
});

// --- cache disk ---

test('cache space: plenty free passes; under cache.minFreeBytes fails; close to it warns', async (t) => {
  const cacheRoot = path.join(await tempDir(t), 'cache');
  const ok = await checkCacheSpace({ cacheRoot, minFreeBytes: 1 });
  t.like(ok, [{ id: 'cache-space', status: 'pass' }]);
  t.regex(ok[0]!.message, /free of .* \(not created yet; measured at /);
  const full = await checkCacheSpace({ cacheRoot, minFreeBytes: '100%' });
  t.like(full, [{ status: 'fail' }]);
  t.regex(full[0]!.fix!, /lower cache\.minFreeBytes/);
  const close = await checkCacheSpace({ cacheRoot, minFreeBytes: 600, freeSpace: () => Promise.resolve({ freeBytes: 1000, totalBytes: 10_000 }) });
  t.like(close, [{ status: 'warn' }]);
});

// --- update endpoints ---

async function hub(t: Parameters<typeof tempDir>[0], handler: http.RequestListener): Promise<string> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

test('update endpoints: an answering hub passes (HEAD, or GET where HEAD is refused); a 5xx warns; no answer fails', async (t) => {
  const up = await hub(t, (_request, response) => response.writeHead(200).end());
  const noHead = await hub(t, (request, response) => response.writeHead(request.method === 'HEAD' ? 405 : 200).end('ok'));
  const broken = await hub(t, (_request, response) => response.writeHead(503).end());
  // A port where nothing listens any more.
  const gone = http.createServer();
  await new Promise<void>((resolve) => gone.listen(0, '127.0.0.1', resolve));
  const refused = `http://127.0.0.1:${(gone.address() as AddressInfo).port}`;
  await new Promise<void>((resolve) => gone.close(() => resolve()));
  const results = await checkUpdateEndpoints({
    manifest: '/etc/arena/models.yaml',
    endpoints: [
      { key: 'updates.hfEndpoint', url: up },
      { key: 'updates.civitaiEndpoint', url: noHead },
      { key: 'broken', url: broken },
      { key: 'refused', url: refused },
    ],
    timeoutMs: 20_000,
  });
  t.like(results[0], { id: 'updates', status: 'pass' });
  t.regex(results[0]!.message, /updates\.hfEndpoint http:\/\/127\.0\.0\.1:\d+ answers \(HTTP 200 in \d+ ms\)/);
  t.like(results[1], { status: 'pass' });
  t.like(results[2], { status: 'warn' });
  t.like(results[3], { status: 'fail' });
  t.regex(results[3]!.message, /ECONNREFUSED/);
});

test('update endpoints: a hub that accepts and never answers fails once the timeout is over', async (t) => {
  const silent = await hub(t, () => undefined);
  const results = await checkUpdateEndpoints({ manifest: '/etc/arena/models.yaml', endpoints: [{ key: 'silent', url: silent }], timeoutMs: 200 });
  t.like(results, [{ status: 'fail', message: `silent ${silent} cannot be reached: no answer in time` }]);
});

test('update endpoints: without a manifest nothing is asked', async (t) => {
  const results = await checkUpdateEndpoints({ manifest: '', endpoints: [{ key: 'x', url: 'http://127.0.0.1:9' }] });
  t.like(results, [{ status: 'pass', message: 'updates are off (no updates.manifest), so the hubs are not needed' }]);
});
