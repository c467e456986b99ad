/** `arenactl doctor` as a whole: against a real daemon, and with a broken config. */
import fs from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { doctorCommand } from '../../../src/cli/commands/doctor.js';
import type { CheckResult } from '../../../src/doctor/check.js';
import { spawnDaemon } from '../../helpers/daemon-process.js';
import { tempDir } from '../../helpers/temp-dir.js';
import { writeFile } from '../../helpers/platform.js';
import { fakeRunner } from '../../service/helpers/fake-runner.js';
import { runCommands } from '../../service/helpers/run-commands.js';
import { serviceFixture } from '../../service/helpers/service-fixture.js';

interface DoctorReport {
  readonly ok: boolean;
  readonly summary: { pass: number; warn: number; fail: number };
  readonly checks: CheckResult[];
}

const NO_SYSTEMD = fakeRunner([[/^systemctl/, { exitCode: 1, stderr: 'System has not been booted with systemd as init system (PID 1).\n' }]]);

test('doctor against a running daemon with the cache registered: every check but the service passes, exit 0', async (t) => {
  const base = await tempDir(t);
  const comfy = path.join(base, 'ComfyUI');
  const cache = path.join(base, 'cache');
  writeFile(path.join(comfy, 'models', 'checkpoints', 'base.safetensors'), 'weights');
  writeFile(path.join(comfy, 'extra_model_paths.yaml'), `arena_cache:\n  base_path: ${cache}\n  is_default: true\n  checkpoints: checkpoints\n`);
  fs.mkdirSync(path.join(cache, 'checkpoints'), { recursive: true });
  const env = { ARENA_COMFY_ROOT: comfy, ARENA_CACHE_ROOT: cache };
  const daemon = await spawnDaemon(t, { home: base, env });

  const { context } = serviceFixture(base, { uid: 0, runner: NO_SYSTEMD, env: { ...env, HOME: base } });
  const platform = { ...context.platform, home: base, env: { ...env, HOME: base } };
  const commands = [doctorCommand(() => ({ service: { ...context, platform }, callerGroups: [0] }))];
  const result = await runCommands(['doctor', '--json', '--socket', daemon.socketPath], commands, platform);
  const report = JSON.parse(result.stdout) as DoctorReport;
  const byId = (id: string) => report.checks.filter((check) => check.id === id);
  t.is(result.code, 0, result.stdout);
  t.true(report.ok);
  t.like(byId('daemon')[0], { status: 'pass' });
  t.regex(byId('daemon')[0]!.message, new RegExp(`pid ${daemon.pid}.*: ready$`));
  t.like(byId('service')[0], { status: 'warn' }, 'no systemd here');
  t.like(byId('config')[0], { status: 'pass' });
  t.like(byId('comfy-paths')[0], { status: 'pass' });
  t.like(byId('root')[0], { status: 'pass' });
  t.like(byId('inotify')[0], { status: 'pass' });
  t.like(byId('cache-space')[0], { status: 'pass' });
  t.true(byId('permissions').every((check) => check.status === 'pass'));
  t.like(byId('updates')[0], { status: 'pass' });

  const text = await runCommands(['doctor', '--socket', daemon.socketPath], commands, platform);
  t.regex(text.stdout, /^✓ daemon +arenad .*: ready$/m);
  t.regex(text.stdout, /^! service +the service manager could not be asked/m);
  t.regex(text.stdout, /^ +fix: on a machine without systemd/m);
  t.regex(text.stdout, /^doctor: \d+ checks fine, 1 warning, 0 failures$/m);
});

test('doctor with a broken config and no daemon fails, names the problem and skips the checks that need the config', async (t) => {
  const base = await tempDir(t);
  const configFile = writeFile(path.join(base, 'arena.yaml'), 'cache:\n  maxBytes: lots\n');
  const { context } = serviceFixture(base, { runner: NO_SYSTEMD, env: { ARENA_CONFIG: configFile } });
  const commands = [doctorCommand(() => ({ service: context, callerGroups: [] }))];
  const result = await runCommands(['doctor', '--json', '--socket', path.join(base, 'none.sock')], commands, context.platform);
  t.is(result.code, 1);
  const report = JSON.parse(result.stdout) as DoctorReport;
  t.false(report.ok);
  t.deepEqual(report.checks.map((check) => check.id), ['daemon', 'service', 'config']);
  t.like(report.checks[0], { status: 'fail' });
  t.like(report.checks[2], { status: 'fail' });
  t.regex(report.checks[2]!.message, /cache\.maxBytes = "lots"/);
  t.regex(report.checks[2]!.fix!, /checks that need the config were skipped/);
});
