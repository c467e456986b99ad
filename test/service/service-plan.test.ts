import fs from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { parse as parsePlist } from 'plist';
import { parse as parseYaml } from 'yaml';
import { applyPlan } from '../../src/service/apply-plan.js';
import { planInstall } from '../../src/service/plan-install.js';
import { planUninstall } from '../../src/service/plan-uninstall.js';
import type { PlanStep, ServicePlan } from '../../src/service/service-plan.js';
import { tempDir } from '../helpers/temp-dir.js';
import { writeFile } from '../helpers/platform.js';
import { fakeRunner } from './helpers/fake-runner.js';
import { serviceFixture } from './helpers/service-fixture.js';
import { DAEMON_NODE_FLAGS } from '../../src/service/node-flags.js';

function writes(plan: ServicePlan): Array<Extract<PlanStep, { kind: 'write' }>> {
  return plan.steps.filter((step): step is Extract<PlanStep, { kind: 'write' }> => step.kind === 'write');
}

/** The config file and the unit among what a system install writes (the sysusers.d and tmpfiles.d entries come first). */
function configAndUnit(plan: ServicePlan, system: { configFile: string; unitFile: string }) {
  return [writes(plan).find((step) => step.path === system.configFile), writes(plan).find((step) => step.path === system.unitFile)];
}

function commands(plan: ServicePlan): string[] {
  return plan.steps.flatMap((step) => (step.kind === 'run' ? [step.command.join(' ')] : []));
}

test('a system install creates the user, writes a new config naming the socket and group, writes the unit, restarts the service', async (t) => {
  const { context, system } = serviceFixture(await tempDir(t), { uid: 0 });
  const plan = await planInstall('system', context);
  t.deepEqual(plan.steps[0], { kind: 'write', path: system.sysusersFile, content: writes(plan)[0]!.content, mode: 0o644 });
  t.regex(writes(plan)[0]!.content, new RegExp(`^u arena - "ComfyUI Arena daemon" ${system.stateDir} /usr/sbin/nologin$`, 'm'), 'a sysusers.d entry for systemd-sysusers');
  t.deepEqual(plan.steps[1], { kind: 'ensure-user', user: 'arena', group: 'arena', home: system.stateDir, sysusersFile: system.sysusersFile });
  t.false(plan.steps.some((step) => step.kind === 'ensure-folders'), 'state and cache are systemd\'s folders: no tmpfiles.d entry');
  const [config, unit] = configAndUnit(plan, system);
  t.is(config!.path, system.configFile);
  t.is(config!.mode, 0o644, 'every user running arenactl reads control.socket from it');
  t.is(config!.backup, undefined, 'nothing to back up');
  t.deepEqual(parseYaml(config!.content), {
    control: { socket: '/run/arena/arenad.sock', socketGroup: 'arena' },
    cache: { root: system.cacheDir },
    state: { dir: system.stateDir },
  });
  t.is(unit!.path, system.unitFile);
  t.regex(unit!.content, new RegExp(`^ExecStart=${process.execPath} ${DAEMON_NODE_FLAGS.join(' ')} ${context.paths.daemonEntry} --config ${system.configFile}$`, 'm'));
  t.regex(unit!.content, /^ProtectHome=yes$/m);
  t.notRegex(unit!.content, /^ReadWritePaths=/m, 'state and cache are systemd-managed folders; nothing else is needed');
  t.deepEqual(commands(plan), ['systemctl daemon-reload', 'systemctl enable arenad.service', 'systemctl restart arenad.service']);
});

test('a system install keeps an existing config (comments too), adds the socket, backs it up, and opens the roots it names', async (t) => {
  const base = await tempDir(t);
  const { context, system } = serviceFixture(base, { uid: 0 });
  const ssd = path.join(base, 'ssd', 'arena');
  const nas = path.join(base, 'nas');
  const comfy = path.join(base, 'comfy');
  writeFile(path.join(comfy, 'extra_model_paths.yaml'), `nas:\n  base_path: ${path.join(base, 'share')}\n  checkpoints: checkpoints\narena_cache:\n  base_path: ${ssd}\n  is_default: true\n  checkpoints: checkpoints\n`);
  const original = `# my settings\ncomfy:\n  root: ${comfy}\nlibrary:\n  roots: [${nas}]\ncache:\n  root: ${ssd} # the SSD\n`;
  writeFile(system.configFile, original);
  const plan = await planInstall('system', context);
  const [config, unit] = configAndUnit(plan, system);
  t.is(config!.backup, `${system.configFile}.bak-20250102T030405Z`);
  t.true(config!.content.startsWith('# my settings\n'));
  t.true(config!.content.includes('# the SSD'));
  const parsed = parseYaml(config!.content) as { control: unknown; cache: { root: string } };
  t.deepEqual(parsed.control, { socket: '/run/arena/arenad.sock', socketGroup: 'arena' });
  t.is(parsed.cache.root, ssd);

  const rw = unit!.content.split('\n').filter((line) => line.startsWith('ReadWritePaths='));
  t.true(rw.includes(`ReadWritePaths=${ssd}`), 'the cache must exist and be writable');
  t.true(rw.includes(`ReadWritePaths=-${nas}`), 'a library root may be unmounted at boot');
  t.true(rw.includes(`ReadWritePaths=-${path.join(comfy, 'models')}`));
  t.true(rw.includes(`ReadWritePaths=-${path.join(base, 'share')}`), 'a YAML section root');
  t.false(rw.some((line) => line.includes(`-${ssd}`)), "the cache's own YAML section is not a library root");
  const folders = plan.steps.find((step) => step.kind === 'ensure-folders');
  t.deepEqual(folders, { kind: 'ensure-folders', folders: [{ path: ssd, user: 'arena', group: 'arena' }], tmpfilesFile: system.tmpfilesFile }, 'the cache root is created for the daemon user');
  t.regex(writes(plan).find((step) => step.path === system.tmpfilesFile)!.content, new RegExp(`^d ${ssd} 0750 arena arena -$`, 'm'));

  // Installing again with nothing changed leaves the config alone.
  fs.writeFileSync(system.configFile, config!.content);
  t.is(writes(await planInstall('system', context)).filter((step) => step.path === system.configFile).length, 0);
});

test('a system install whose paths lie in a home folder keeps homes visible, read-only, and says the user must read ComfyUI', async (t) => {
  const { context, system } = serviceFixture(await tempDir(t), { uid: 0 });
  writeFile(system.configFile, 'comfy:\n  root: /home/alice/ComfyUI\n');
  const plan = await planInstall('system', context);
  const unit = configAndUnit(plan, system)[1]!;
  t.regex(unit.content, /^ProtectHome=read-only$/m);
  t.regex(unit.content, /Home folders: read-only, because \/home\/alice\/ComfyUI\S* lies in one/);
  t.true(plan.notes.some((note) => note.includes('must be able to read /home/alice/ComfyUI')));
});

test('a system install refuses a config with mistakes and names them', async (t) => {
  const { context, system } = serviceFixture(await tempDir(t), { uid: 0 });
  writeFile(system.configFile, 'cache:\n  maxBytes: lots\n');
  await t.throwsAsync(planInstall('system', context), { message: /config\.yaml has problems; fix them first .*\n\s+cache\.maxBytes = "lots"/s });
  fs.writeFileSync(system.configFile, 'cache: [unclosed\n');
  await t.throwsAsync(planInstall('system', context), { message: /is not valid YAML/ });
});

test('a user install writes the unit under XDG_CONFIG_HOME, creates an empty config, and warns when lingering is off', async (t) => {
  const runner = fakeRunner([[/^loginctl show-user 1000/, { stdout: 'no\n' }]]);
  const base = await tempDir(t);
  const xdg = path.join(base, 'xdg');
  const { context } = serviceFixture(base, { runner, env: { XDG_CONFIG_HOME: xdg } });
  const plan = await planInstall('user', context);
  const [config, unit] = writes(plan);
  t.is(config!.path, path.join(xdg, 'arena', 'config.yaml'));
  t.is(parseYaml(config!.content), null, 'only comments: every setting keeps its default');
  t.is(unit!.path, path.join(xdg, 'systemd', 'user', 'arenad.service'));
  t.regex(unit!.content, new RegExp(`--config ${config!.path}$`, 'm'));
  t.deepEqual(commands(plan), ['systemctl --user daemon-reload', 'systemctl --user enable arenad.service', 'systemctl --user restart arenad.service']);
  t.true(plan.notes.some((note) => note.includes('lingering is off for alice') && note.includes('loginctl enable-linger alice')));

  writeFile(config!.path, 'cache:\n  maxBytes: 100GB\n');
  const again = await planInstall('user', { ...context, runner: fakeRunner([[/^loginctl/, { stdout: 'yes\n' }]]) });
  t.false(writes(again).some((step) => step.path === config!.path), 'an existing user config is left alone');
  t.false(again.notes.some((note) => note.includes('linger')));
});

test('a macOS install writes the LaunchAgent and reloads it with launchctl', async (t) => {
  const { context } = serviceFixture(await tempDir(t), { os: 'darwin', uid: 501 });
  const plan = await planInstall('launchd', context);
  const plist = writes(plan).find((step) => step.path.endsWith('.plist'))!;
  t.is(plist.path, path.join(context.platform.home, 'Library', 'LaunchAgents', 'org.comfyui-arena.arenad.plist'));
  const parsed = parsePlist(plist.content) as Record<string, unknown>;
  t.is(parsed.StandardErrorPath, path.join(context.platform.home, 'Library', 'Logs', 'arena', 'arenad.log'));
  t.deepEqual(commands(plan), ['launchctl bootout gui/501/org.comfyui-arena.arenad', `launchctl bootstrap gui/501 ${plist.path}`]);
  t.true(plan.steps.some((step) => step.kind === 'run' && step.command[1] === 'bootout' && step.allowFailure), 'a first install has nothing to boot out');
});

test('applying a plan writes the files with their modes, keeps a backup, and runs the commands in order', async (t) => {
  const base = await tempDir(t);
  const runner = fakeRunner([[/^getent passwd arena/, { exitCode: 2 }], [/^getent group arena/, { exitCode: 2 }]]);
  const fixture = serviceFixture(base, { uid: 0, runner });
  // A package installed under /opt: the fixture's own lies in the temp folder, which the unit's PrivateTmp= hides.
  const context = { ...fixture.context, paths: { ...fixture.context.paths, root: '/opt/comfyui-arena', daemonEntry: '/opt/comfyui-arena/dist/daemon/main.js' } };
  const { system } = fixture;
  writeFile(system.configFile, 'log:\n  level: debug\n');
  const plan = await planInstall('system', context);
  const done = await applyPlan(plan, runner);
  t.is(fs.statSync(system.unitFile).mode & 0o777, 0o644);
  t.regex(fs.readFileSync(system.configFile, 'utf8'), /socketGroup: arena/);
  t.is(fs.readFileSync(`${system.configFile}.bak-20250102T030405Z`, 'utf8'), 'log:\n  level: debug\n');
  t.regex(fs.readFileSync(system.sysusersFile, 'utf8'), /^u arena - /m);
  t.deepEqual(runner.lines(), [
    'getent passwd arena',
    `systemd-sysusers ${system.sysusersFile}`,
    'getent passwd arena',
    'getent group arena',
    `useradd --system --user-group --home-dir ${system.stateDir} --no-create-home --shell /usr/sbin/nologin --comment ComfyUI Arena daemon arena`,
    'systemctl daemon-reload',
    'systemctl enable arenad.service',
    'systemctl restart arenad.service',
  ]);
  t.true(done.includes('created the system user arena'));
});

test('where systemd-sysusers and systemd-tmpfiles run, they create the user and the folders; elsewhere useradd, mkdir and chown do', async (t) => {
  const base = await tempDir(t);
  let created = false;
  const calls: string[] = [];
  const runner = {
    lines: () => calls,
    run(file: string, args: readonly string[]) {
      calls.push([file, ...args].join(' '));
      if (file === 'systemd-sysusers') created = true;
      if (file === 'getent') {
        return Promise.resolve({ exitCode: created ? 0 : 2, stdout: created ? 'arena:x:999:999::/var/lib/arena:/usr/sbin/nologin\n' : '', stderr: '', missing: false });
      }
      return Promise.resolve({ exitCode: 0, stdout: '', stderr: '', missing: false });
    },
  };
  const user = { kind: 'ensure-user' as const, user: 'arena', group: 'arena', home: '/var/lib/arena', sysusersFile: '/etc/sysusers.d/arena.conf' };
  t.deepEqual(await applyPlan({ action: 'install', mode: 'system', definitionFile: '', configFile: '', notes: [], steps: [user] }, runner), [
    'created the system user arena (systemd-sysusers)',
  ]);
  t.false(calls.some((line) => line.startsWith('useradd')));

  const folder = path.join(base, 'ssd');
  const folders = { kind: 'ensure-folders' as const, folders: [{ path: folder, user: 'arena', group: 'arena' }], tmpfilesFile: path.join(base, 'arena.conf') };
  const noTmpfiles = fakeRunner([[/^systemd-tmpfiles/, { exitCode: 127, missing: true }]]);
  t.deepEqual(await applyPlan({ action: 'install', mode: 'system', definitionFile: '', configFile: '', notes: [], steps: [folders] }, noTmpfiles), [
    `created ${folder} (arena:arena)`,
  ]);
  t.true(fs.statSync(folder).isDirectory());
  t.deepEqual(noTmpfiles.lines(), [`systemd-tmpfiles --create ${folders.tmpfilesFile}`, `chown arena:arena ${folder}`]);
});

test('an existing user is reused; an existing group of another name is joined', async (t) => {
  const runner = fakeRunner([[/^getent passwd arena/, { stdout: 'arena:x:999:995::/var/lib/arena:/usr/sbin/nologin\n' }]]);
  const done = await applyPlan({ action: 'install', mode: 'system', definitionFile: '', configFile: '', notes: [], steps: [{ kind: 'ensure-user', user: 'arena', group: 'arena', home: '/var/lib/arena', sysusersFile: '/etc/sysusers.d/arena.conf' }] }, runner);
  t.deepEqual(done, ['the user arena exists already']);
  t.deepEqual(runner.lines(), ['getent passwd arena']);

  const joining = fakeRunner([[/^getent passwd/, { exitCode: 2 }], [/^getent group media/, { stdout: 'media:x:500:\n' }]]);
  await applyPlan({ action: 'install', mode: 'system', definitionFile: '', configFile: '', notes: [], steps: [{ kind: 'ensure-user', user: 'arena', group: 'media', home: '/h', sysusersFile: '/h/sysusers.conf' }] }, joining);
  t.regex(joining.lines().at(-1)!, /^useradd --system --gid media /);
});

test('a failing step stops the plan and the error names the step and what was left undone', async (t) => {
  const base = await tempDir(t);
  const runner = fakeRunner([[/^systemctl --user enable/, { exitCode: 1, stderr: 'Failed to enable unit: Access denied' }]]);
  const { context } = serviceFixture(base, { runner, env: { XDG_CONFIG_HOME: path.join(base, 'xdg') } });
  const plan = await planInstall('user', context);
  const error = await t.throwsAsync(applyPlan(plan, runner));
  t.regex(error.message, /install stopped at step \d+ of \d+ \(run systemctl --user enable arenad\.service\): `systemctl --user enable arenad\.service` failed with exit code 1: Failed to enable unit: Access denied; 1 later steps were not run/);
  t.false(runner.lines().some((line) => line.includes('restart')));
});

test('uninstall stops and disables the service and removes only the unit; config, state and cache stay', async (t) => {
  const base = await tempDir(t);
  const { context, system } = serviceFixture(base, { uid: 0 });
  writeFile(system.configFile, `cache:\n  root: ${path.join(base, 'ssd')}\n`);
  writeFile(system.unitFile, '[Service]\n');
  const plan = planUninstall('system', context);
  t.deepEqual(commands(plan), ['systemctl disable --now arenad.service', 'systemctl daemon-reload', 'systemctl reset-failed arenad.service']);
  t.true(plan.notes.some((note) => note.includes(path.join(base, 'ssd'))), 'names the cache it keeps');
  t.true(plan.notes.some((note) => note.includes('sudo userdel arena')));
  const runner = fakeRunner([[/disable --now/, { exitCode: 5, stderr: 'Unit arenad.service not loaded.' }]]);
  await applyPlan(plan, runner);
  t.false(fs.existsSync(system.unitFile));
  t.true(fs.existsSync(system.configFile));

  const nothing = planUninstall('system', context);
  t.deepEqual(nothing.steps, []);
  t.regex(nothing.notes[0]!, /nothing to uninstall/);
});

test('a system install opens the folder of log.file to the sandbox, and nothing for log.file off', async (t) => {
  const { context, system } = serviceFixture(await tempDir(t), { uid: 0 });
  const readWrite = async (config: string) => {
    writeFile(system.configFile, config);
    const unit = writes(await planInstall('system', context)).find((step) => step.path === system.unitFile)!.content;
    return unit.split('\n').filter((line) => line.startsWith('ReadWritePaths='));
  };
  t.deepEqual(await readWrite('log:\n  file: /srv/logs/arena.log\n'), ['ReadWritePaths=-/srv/logs']);
  t.deepEqual(await readWrite('log:\n  file: "off"\n'), []);
  t.deepEqual(await readWrite('log:\n  file: off\n'), [], 'off unquoted is the word off, not a relative path');
});
