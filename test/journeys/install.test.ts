/**
 * Installing the way packages are installed: the package is not on the
 * registry, so a user packs the checkout and installs the tarball globally,
 * then runs the installed `arenad` and `arenactl` from anywhere, and sets up
 * the service from that install.
 */
import fs from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { installGlobally, packFreshCopy, tarballFiles } from '../helpers/npm-package.js';
import { PACKAGE_VERSION, PACKAGE_VERSION_PATTERN } from '../helpers/package-version.js';
import { makeWorld, sh, startArenad } from './helpers/product.js';

test('npm pack from a fresh clone, npm install -g of the tarball: arenad and arenactl run from anywhere, and the service unit runs the installed daemon', async (t) => {
  t.timeout(300_000);
  const world = await makeWorld(t);
  const tarball = await packFreshCopy(path.join(world.base, 'work'), path.join(world.base, 'packed'));

  // What the tarball carries: the built daemon (prepare built it), the templates and examples, no tests.
  const files = await tarballFiles(tarball);
  for (const needed of [
    'dist/daemon/main.js',
    'dist/cli/main.js',
    'units/arenad.service',
    'units/arenad.user.service',
    'units/arenad.plist',
    'service/sysusers.d/arena.conf',
    'service/tmpfiles.d/arena.conf',
    'config/arena.example.yaml',
    'comfyui/ComfyUI_Arena/__init__.py',
    'INSTALL.md',
    'README.md',
  ]) {
    t.true(files.includes(needed), `${needed} is in the tarball`);
  }
  t.deepEqual(
    files.filter((file) => /^(test|src|scripts)\//.test(file) || file.endsWith('.map')),
    [],
    'nothing of the tests, the sources or their maps',
  );

  const prefix = path.join(world.base, 'global');
  const installed = await installGlobally(tarball, prefix);
  for (const dev of ['typescript', 'tsx', 'ava', 'esbuild'])
    t.false(fs.existsSync(path.join(installed, 'node_modules', dev)), `${dev} is a devDependency and is not installed`);

  // Another folder, the installed bins first on the PATH: nothing of the checkout is used.
  const env = { PATH: `${prefix}/bin:${path.dirname(process.execPath)}:/usr/bin:/bin:/usr/sbin:/sbin` };
  const which = await sh(world, 'command -v arenactl arenad', { env });
  t.is(which.stdout, `${prefix}/bin/arenactl\n${prefix}/bin/arenad\n`);
  const versions = await sh(world, 'arenactl --version && arenad --version', { env });
  t.is(versions.code, 0, versions.stderr);
  t.is(versions.stdout, `${PACKAGE_VERSION}\n${PACKAGE_VERSION}\n`);

  const daemon = await startArenad(t, world, { env });
  t.regex(daemon.output(), new RegExp(`arenad ${PACKAGE_VERSION_PATTERN} (ready|degraded)`));
  const status = await sh(world, 'arenactl status', { env });
  t.is(status.code, 0, status.stderr);
  t.regex(status.stdout, new RegExp(`^arenad ${PACKAGE_VERSION_PATTERN} · (ready|degraded) · pid \\d+`));
  await daemon.stop();

  // The unit a service install would write runs the installed daemon with absolute paths.
  const daemonEntry = path.join(fs.realpathSync(installed), 'dist', 'daemon', 'main.js');
  const user = await sh(world, 'arenactl service install --user --dry-run', { env });
  t.is(user.code, 0, user.stderr);
  t.regex(
    user.stdout,
    new RegExp(`^ {4}\\| ExecStart=${process.execPath} .*${daemonEntry} --config ${world.home}/\\.config/arena/config\\.yaml$`, 'm'),
  );
  const documentation = /^ {4}\| Documentation=file:\/\/(\S+)$/m.exec(user.stdout)?.[1];
  t.true(
    documentation !== undefined && fs.existsSync(decodeURI(documentation)),
    `the unit's Documentation= is a file of the install: ${documentation}`,
  );

  // This prefix lies under /tmp, which the system unit's PrivateTmp=yes hides: the dry run says a real install would stop, and why.
  const system = await sh(world, 'arenactl service install --system --dry-run', { env });
  t.is(system.code, 0, system.stderr);
  t.regex(system.stdout, new RegExp(`^ {4}\\| ExecStart=.*${daemonEntry} --config /etc/arena/config\\.yaml$`, 'm'));
  t.true(
    system.stdout.includes(
      `note: a real install would stop here: the service cannot run the daemon from ${daemonEntry}: the system unit arenad.service sets PrivateTmp=yes, which gives the service its own empty /tmp and /var/tmp; ` +
        'install the package where the service can see it: in the checkout run npm pack, then sudo npm install -g ./comfyui-arena-*.tgz',
    ),
    system.stdout,
  );
});
