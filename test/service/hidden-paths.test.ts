/**
 * A system install refuses a daemon or Node that its own unit's sandbox
 * would hide, naming the path, the setting and what to do; what hides what
 * is read from the rendered unit, so the check follows units/ as it changes.
 */
import fs from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { applyPlan } from '../../src/service/apply-plan.js';
import { hidingSettings, settingHiding } from '../../src/service/hidden-paths.js';
import { planInstall } from '../../src/service/plan-install.js';
import type { ServiceContext } from '../../src/service/service-context.js';
import { tempDir } from '../helpers/temp-dir.js';
import { writeFile } from '../helpers/platform.js';
import { fakeRunner } from './helpers/fake-runner.js';
import { runCommands } from './helpers/run-commands.js';
import { serviceCommands } from '../../src/cli/commands/service.js';
import { serviceFixture } from './helpers/service-fixture.js';

function packagedAt(context: ServiceContext, root: string, node = context.paths.node): ServiceContext {
  return { ...context, paths: { ...context.paths, root, node, daemonEntry: path.join(root, 'dist', 'daemon', 'main.js') } };
}

function unitOf(plan: Awaited<ReturnType<typeof planInstall>>): string {
  const step = plan.steps.find((item) => item.kind === 'write' && item.path === plan.definitionFile);
  return step?.kind === 'write' ? step.content : '';
}

test('the settings that hide paths come from the rendered system unit', async (t) => {
  const { context } = serviceFixture(await tempDir(t), { uid: 0 });
  const unit = unitOf(await planInstall('system', packagedAt(context, '/opt/comfyui-arena')));
  t.deepEqual(
    hidingSettings(unit).map((hiding) => hiding.setting),
    ['PrivateTmp=yes', 'ProtectHome=yes', 'PrivateDevices=yes'],
  );
  // The user unit sandboxes nothing that hides a path.
  const user = unitOf(await planInstall('user', packagedAt(context, '/tmp/checkout')));
  t.deepEqual(hidingSettings(user), []);
});

test('a system install of a package under /tmp or /var/tmp is refused before any step, naming path, setting and remedy', async (t) => {
  const base = await tempDir(t);
  const runner = fakeRunner();
  const { context, system } = serviceFixture(base, { uid: 0, runner });
  for (const root of ['/tmp/arena-checkout', '/var/tmp/prefix/lib/node_modules/comfyui-arena']) {
    const plan = await planInstall('system', packagedAt(context, root));
    t.is(plan.refusals?.length, 1);
    t.is(
      plan.refusals![0],
      `the service cannot run the daemon from ${root}/dist/daemon/main.js: the system unit arenad.service sets PrivateTmp=yes, which gives the service its own empty /tmp and /var/tmp; ` +
        "install the package where the service can see it: in the checkout run npm pack, then sudo npm install -g ./comfyui-arena-*.tgz (npm's global prefix, /usr/local with a system Node), " +
        'and run sudo arenactl service install --system from that install (INSTALL.md)',
    );
    t.true(plan.notes.includes(`a real install would stop here: ${plan.refusals![0]}`), 'a dry run shows it');
    const error = await t.throwsAsync(applyPlan(plan, runner));
    t.true(error.message.startsWith('install refused, nothing was changed: the service cannot run the daemon from'));
  }
  t.deepEqual(runner.calls, [], 'no user, no systemctl');
  t.false(fs.existsSync(system.unitFile));
  t.false(fs.existsSync(system.configFile));
});

test('Node under /tmp is refused too; a package in a home folder is not, since the unit then keeps homes read-only', async (t) => {
  const { context } = serviceFixture(await tempDir(t), { uid: 0 });
  const plan = await planInstall('system', packagedAt(context, '/usr/local/lib/node_modules/comfyui-arena', '/tmp/node-v20/bin/node'));
  t.is(plan.refusals?.length, 1);
  t.regex(plan.refusals![0]!, /^the service cannot run Node from \/tmp\/node-v20\/bin\/node: the system unit arenad\.service sets PrivateTmp=yes, .*; use a Node installed outside it/);

  const inHome = await planInstall('system', packagedAt(context, '/home/alice/comfyui-arena'));
  t.deepEqual(inHome.refusals, []);
  t.regex(unitOf(inHome), /^ProtectHome=read-only$/m);
});

test('what each setting hides: InaccessiblePaths, TemporaryFileSystem, ProtectHome=tmpfs; a bind shows a path again; read-only hides nothing', (t) => {
  const unit = [
    '[Unit]',
    'InaccessiblePaths=/srv/hidden',
    '[Service]',
    'ProtectSystem=strict',
    'ProtectHome=read-only',
    'ProtectHome=tmpfs',
    'InaccessiblePaths=-/srv/secret "/opt/with space"',
    'TemporaryFileSystem=/var/lib:ro',
    'BindReadOnlyPaths=/var/lib/node',
    'PrivateTmp=no',
  ].join('\n');
  t.is(settingHiding(unit, '/srv/secret/arena/main.js')?.setting, 'InaccessiblePaths=-/srv/secret');
  t.is(settingHiding(unit, '/opt/with space/main.js')?.setting, 'InaccessiblePaths=/opt/with space');
  t.is(settingHiding(unit, '/var/lib/arena/main.js')?.setting, 'TemporaryFileSystem=/var/lib:ro');
  t.is(settingHiding(unit, '/var/lib/node/bin/node'), undefined, 'bound back in');
  t.is(settingHiding(unit, '/root/x.js')?.setting, 'ProtectHome=tmpfs', 'the last assignment counts');
  t.is(settingHiding(unit, '/srv/hidden/x.js'), undefined, 'only the [Service] section counts');
  t.is(settingHiding(unit, '/tmp/x.js'), undefined, 'PrivateTmp=no');
  t.is(settingHiding(unit, '/usr/lib/node_modules/x.js'), undefined, 'ProtectSystem= is read-only, not hidden');
});

test('arenactl service install --system from a package under /tmp exits 1 with the refusal; --dry-run shows it', async (t) => {
  const base = await tempDir(t);
  const runner = fakeRunner();
  const fixture = serviceFixture(base, { uid: 0, runner });
  // A built checkout in /tmp itself, whatever TMPDIR says.
  const checkout = fs.mkdtempSync('/tmp/arena-test-checkout-');
  t.teardown(() => fs.rmSync(checkout, { recursive: true, force: true }));
  const context = packagedAt(fixture.context, checkout);
  writeFile(context.paths.daemonEntry, '// built\n');
  const run = (argv: string[]) => runCommands(argv, serviceCommands(() => context), context.platform);
  const dry = await run(['service', 'install', '--system', '--dry-run']);
  t.is(dry.code, 0, dry.stderr);
  t.regex(dry.stdout, /^note: a real install would stop here: the service cannot run the daemon from .*PrivateTmp=yes/m);
  const real = await run(['service', 'install', '--system']);
  t.is(real.code, 1);
  t.regex(real.stderr, /^arenactl: install refused, nothing was changed: the service cannot run the daemon from \/tmp\/.*\/dist\/daemon\/main\.js: the system unit arenad\.service sets PrivateTmp=yes/);
  t.deepEqual(runner.calls.filter((call) => call[0] !== 'getent'), []);
  t.false(fs.existsSync(fixture.system.unitFile));
});
