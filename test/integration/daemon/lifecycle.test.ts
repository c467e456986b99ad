import fs from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { spawnDaemon } from '../../helpers/daemon-process.js';
import { PACKAGE_VERSION } from '../../helpers/package-version.js';
import { tempDir } from '../../helpers/temp-dir.js';
import { writeFile } from '../../helpers/platform.js';

test('with no ComfyUI and no roots the daemon still starts, says so once, and reports it in status', async (t) => {
  const home = await tempDir(t);
  const daemon = await spawnDaemon(t, { home });
  const status = await daemon.status();
  t.is(status.state, 'degraded');
  t.is(status.pid, daemon.pid);
  t.is(status.problems.length, 1);
  t.regex(status.problems[0]!, new RegExp(`^no ComfyUI found: ${path.join(home, 'ComfyUI')} does not exist`));
  t.is(daemon.output().match(/no ComfyUI found/g)?.length, 1, 'logged once, not on every check');
  t.true(daemon.output().indexOf('control socket listening') < daemon.output().indexOf(`arenad ${PACKAGE_VERSION} degraded`));
});

test('a ComfyUI install makes the daemon ready; a missing library root makes it degraded and names the root', async (t) => {
  const home = await tempDir(t);
  fs.mkdirSync(path.join(home, 'ComfyUI', 'models', 'checkpoints'), { recursive: true });
  writeFile(path.join(home, 'ComfyUI', 'models', 'checkpoints', 'a.safetensors'), 'weights');
  const daemon = await spawnDaemon(t, { home });
  const ready = await daemon.status();
  t.is(ready.state, 'ready');
  t.deepEqual(ready.problems, []);
  t.is(ready.library.models, 1);

  const nas = path.join(home, 'nas');
  const degraded = await spawnDaemon(t, {
    home: await tempDir(t),
    env: { ARENA_COMFY_ROOT: path.join(home, 'ComfyUI'), ARENA_LIBRARY_ROOTS: nas },
  });
  const status = await degraded.status();
  t.is(status.state, 'degraded');
  t.true(
    status.problems.some((problem) => problem.includes(nas)),
    status.problems.join('\n'),
  );
});

test('a bad configuration at start is fatal: exit 1, one line per problem', async (t) => {
  const home = await tempDir(t);
  const configFile = writeFile(path.join(home, 'arena.yaml'), 'cache:\n  maxBytes: -1GB\n  trimSchedule: "every day"\n');
  const daemon = await spawnDaemon(t, { home, args: ['--config', configFile], waitForSocket: false });
  t.is(await daemon.exited, 1);
  const lines = daemon.output().trim().split('\n');
  t.true(
    lines.includes(
      `arenad: cache.maxBytes = "-1GB" (from ${configFile}:2): a size cannot be negative; expected a size of 0 or more, such as 500GB, 1.5TiB, 64G or a number of bytes`,
    ),
  );
  t.true(lines.some((line) => line.startsWith(`arenad: cache.trimSchedule = "every day" (from ${configFile}:3)`)));
  t.false(fs.existsSync(daemon.socketPath));
});

test('a second daemon on the same state directory refuses to start and the first carries on', async (t) => {
  const home = await tempDir(t);
  const first = await spawnDaemon(t, { home });
  const second = await spawnDaemon(t, {
    home,
    env: { ARENA_SOCKET: path.join(home, 'other', 'arenad.sock') },
    waitForSocket: false,
  });
  t.is(await second.exited, 1);
  t.regex(
    second.output(),
    new RegExp(`not started: another arenad \\(pid ${first.pid}, running since .*\\) already uses ${path.join(home, '.local', 'state', 'arena')}`),
  );
  t.is((await first.status()).pid, first.pid);
});

test('a second daemon on the same socket refuses to start', async (t) => {
  const home = await tempDir(t);
  const first = await spawnDaemon(t, { home });
  const otherHome = await tempDir(t);
  const second = await spawnDaemon(t, { home: otherHome, env: { ARENA_SOCKET: first.socketPath }, waitForSocket: false });
  t.is(await second.exited, 1);
  t.regex(second.output(), new RegExp(`not started: another arenad is already listening on ${first.socketPath}`));
  t.is((await first.status()).pid, first.pid);
});

test('after SIGKILL the stale socket and lock are detected and a new daemon starts at once', async (t) => {
  const home = await tempDir(t);
  const first = await spawnDaemon(t, { home });
  first.signal('SIGKILL');
  await first.exited;
  t.true(fs.lstatSync(first.socketPath).isSocket(), 'the killed daemon left its socket behind');
  t.true(fs.existsSync(path.join(home, '.local', 'state', 'arena', 'arenad.lock')));
  const second = await spawnDaemon(t, { home });
  t.is((await second.status()).pid, second.pid);
  t.regex(second.output(), /removing a stale control socket/);
});

test('SIGTERM stops cleanly: exit 0, socket and locks removed', async (t) => {
  const home = await tempDir(t);
  const daemon = await spawnDaemon(t, { home });
  daemon.signal('SIGTERM');
  t.is(await daemon.exited, 0);
  t.false(fs.existsSync(daemon.socketPath));
  t.false(fs.existsSync(path.join(home, '.local', 'state', 'arena', 'arenad.lock')));
  t.false(fs.existsSync(path.join(home, '.cache', 'arena', '.arena', 'lock')));
  t.regex(daemon.output(), /stopping reason=SIGTERM/);
});

test('SIGINT stops cleanly too', async (t) => {
  const daemon = await spawnDaemon(t, { home: await tempDir(t) });
  daemon.signal('SIGINT');
  t.is(await daemon.exited, 0);
});

test('SIGHUP with a good config applies it; with a bad one the daemon keeps the old config and says why', async (t) => {
  const home = await tempDir(t);
  const configFile = writeFile(path.join(home, 'arena.yaml'), 'prefetch:\n  concurrency: 2\n');
  const daemon = await spawnDaemon(t, { home, args: ['--config', configFile] });

  fs.writeFileSync(configFile, 'prefetch:\n  concurrency: 5\n  verify: size\n');
  daemon.signal('SIGHUP');
  await daemon.waitForOutput(/configuration reloaded changed=prefetch.concurrency,prefetch.verify/);
  let report = await daemon.request('config.show');
  t.is(report.config.prefetch!.concurrency, 5);
  t.is(report.sources['prefetch.concurrency'], `${configFile}:2`);

  fs.writeFileSync(configFile, 'prefetch:\n  concurrency: lots\n');
  daemon.signal('SIGHUP');
  await daemon.waitForOutput(/config reload failed; keeping the previous configuration/);
  t.regex(daemon.output(), new RegExp(`prefetch.concurrency = "lots" \\(from ${configFile}:2\\): expected a whole number from 1 to 16`));
  report = await daemon.request('config.show');
  t.is(report.config.prefetch!.concurrency, 5, 'the previous good value stays');
  t.is((await daemon.status()).pid, daemon.pid, 'still serving');
});

test('a reload that changes a restart-only key keeps the running value and says so', async (t) => {
  const home = await tempDir(t);
  const configFile = writeFile(path.join(home, 'arena.yaml'), 'cache:\n  root: ' + path.join(home, 'ssd1') + '\n');
  const daemon = await spawnDaemon(t, { home, args: ['--config', configFile] });
  fs.writeFileSync(configFile, 'cache:\n  root: ' + path.join(home, 'ssd2') + '\n');
  daemon.signal('SIGHUP');
  await daemon.waitForOutput(/cache.root changed; the new value takes effect after a restart/);
  const report = await daemon.request('config.show');
  t.is(report.config.cache!.root, path.join(home, 'ssd1'));
});
