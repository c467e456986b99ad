/**
 * The rendered unit files as systemd itself reads them (systemd-analyze
 * verify prints nothing, and security scores the system unit), and the
 * LaunchAgent plist as a plist parser reads it.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { parse as parsePlist } from 'plist';
import { DAEMON_ENVIRONMENT, DAEMON_NODE_FLAGS } from '../../src/service/node-flags.js';
import { packagePaths } from '../../src/service/package-paths.js';
import { renderLaunchAgent, renderSystemUnit, renderUserUnit } from '../../src/service/render-units.js';
import { renderTemplate } from '../../src/service/template.js';
import { execCommandLine, unitPath, xmlText } from '../../src/service/unit-syntax.js';
import { tempDir } from '../helpers/temp-dir.js';

/** The most the system unit may score in `systemd-analyze security` (lower is safer); INSTALL.md quotes the score. */
const SECURITY_CEILING = 3.0;

const paths = packagePaths();

function systemUnit(overrides: { writable?: Array<{ path: string; optional: boolean }>; protectHome?: 'yes' | 'read-only'; node?: string } = {}) {
  return renderSystemUnit({
    paths: { ...paths, node: overrides.node ?? paths.node },
    configFile: '/etc/arena/config.yaml',
    user: 'arena',
    group: 'arena',
    writable: overrides.writable ?? [
      { path: '/srv/ssd/arena cache', optional: false },
      { path: '/mnt/nas/models', optional: true },
    ],
    protectHome: overrides.protectHome ?? 'yes',
    protectHomeReason: 'hidden; none of the paths the daemon uses lies in one',
  });
}

function analyze(args: string[], env: NodeJS.ProcessEnv = {}) {
  const result = spawnSync('systemd-analyze', args, { encoding: 'utf8', env: { ...process.env, ...env } });
  if (result.error) throw new Error(`systemd-analyze cannot run (${result.error.message}); install Debian's systemd package (.ci/run does)`);
  return result;
}

async function unitFile(t: Parameters<typeof tempDir>[0], text: string): Promise<string> {
  const dir = await tempDir(t);
  const file = path.join(dir, 'arenad.service');
  fs.writeFileSync(file, text);
  return file;
}

test('the system unit passes systemd-analyze verify without a word, even with a blank and a % in the Node path', async (t) => {
  // verify complains about an ExecStart that is not an executable file, so this also proves the quoting reads back right.
  const odd = path.join(await tempDir(t), 'node 100% here');
  fs.mkdirSync(odd);
  fs.symlinkSync(process.execPath, path.join(odd, 'node'));
  const text = await systemUnit({ node: path.join(odd, 'node') });
  t.true(text.includes(`ExecStart="${path.join(odd, 'node').replace('%', '%%')}" `));
  const file = await unitFile(t, text);
  const result = analyze(['verify', file]);
  t.is(result.status, 0);
  t.is(`${result.stdout}${result.stderr}`, '', 'verify exits 0 even on warnings, so any output is a failure');
});

test('the system unit scores at most 3.0 in systemd-analyze security', async (t) => {
  const file = await unitFile(t, await systemUnit());
  const result = analyze(['security', '--offline=yes', file]);
  const score = Number(/Overall exposure level for arenad\.service: ([\d.]+)/.exec(result.stdout)?.[1]);
  t.true(Number.isFinite(score), result.stdout + result.stderr);
  t.log(`exposure ${score}`);
  t.true(score <= SECURITY_CEILING, `exposure ${score} is above ${SECURITY_CEILING}`);
  t.regex(result.stdout, /✗ MemoryDenyWriteExecute=/, 'left off on purpose: it breaks Node\'s JIT');
});

test('the system unit: notify with a watchdog, the dedicated user, the runtime and state folders, the writable paths', async (t) => {
  const text = await systemUnit({ protectHome: 'read-only' });
  for (const line of [
    'Type=notify',
    'NotifyAccess=all',
    'WatchdogSec=30s',
    'Restart=on-failure',
    'User=arena',
    'Group=arena',
    'RuntimeDirectory=arena',
    'StateDirectory=arena',
    'ProtectSystem=strict',
    'ProtectHome=read-only',
    'PrivateTmp=yes',
    'NoNewPrivileges=yes',
    'RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6',
    'MemoryDenyWriteExecute=no',
    'IOSchedulingClass=idle',
    `ExecStart=${paths.node} ${DAEMON_NODE_FLAGS.join(' ')} ${paths.daemonEntry} --config /etc/arena/config.yaml`,
    'Environment=MALLOC_ARENA_MAX=2',
    'ReadWritePaths="/srv/ssd/arena cache"',
    'ReadWritePaths=-/mnt/nas/models',
  ]) {
    t.true(text.split('\n').includes(line), `missing: ${line}`);
  }
  t.false(text.includes('{{'), 'every placeholder is filled');
});

test('the user unit passes systemd-analyze --user verify without a word', async (t) => {
  const text = await renderUserUnit({ paths, configFile: '/home/alice/.config/arena/config.yaml' });
  t.true(text.includes('Type=notify'));
  t.true(text.includes('WantedBy=default.target'));
  t.false(text.includes('{{'));
  const file = await unitFile(t, text);
  // A user manager needs a runtime folder even to check a file.
  const runtime = await tempDir(t);
  fs.chmodSync(runtime, 0o700);
  const result = analyze(['--user', 'verify', file], { XDG_RUNTIME_DIR: runtime });
  t.is(result.status, 0, result.stderr);
  t.is(`${result.stdout}${result.stderr}`, '');
});

test('the LaunchAgent plist parses and has the keys launchd needs', async (t) => {
  const text = await renderLaunchAgent({
    paths,
    configFile: '/Users/alice/.config/arena/config.yaml',
    label: 'org.comfyui-arena.arenad',
    logFile: '/Users/alice/Library/Logs/arena/arenad & more.log',
  });
  const parsed = parsePlist(text) as Record<string, unknown>;
  t.is(parsed.Label, 'org.comfyui-arena.arenad');
  t.deepEqual(parsed.ProgramArguments, [paths.node, ...DAEMON_NODE_FLAGS, paths.daemonEntry, '--config', '/Users/alice/.config/arena/config.yaml']);
  t.is(parsed.RunAtLoad, true);
  t.deepEqual(parsed.KeepAlive, { SuccessfulExit: false }, 'restarted after a crash, not after a clean stop');
  t.is(parsed.ProcessType, 'Background');
  t.is(parsed.LowPriorityIO, true);
  t.is(parsed.StandardOutPath, '/Users/alice/Library/Logs/arena/arenad & more.log', 'XML-escaped and read back intact');
  t.is(parsed.StandardErrorPath, parsed.StandardOutPath);
  const environment = parsed.EnvironmentVariables as Record<string, string>;
  t.true(environment.PATH!.split(':').includes(path.dirname(paths.node)));
});

test('npm start and the arenad command run the daemon with the same Node flags and environment as the units', (t) => {
  t.true(DAEMON_NODE_FLAGS.length > 0);
  const environment = Object.entries(DAEMON_ENVIRONMENT)
    .map(([name, value]) => `${name}=${value}`)
    .join(' ');
  const manifest = JSON.parse(fs.readFileSync(path.join(paths.root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  t.is(manifest.scripts.start, `${environment} node ${DAEMON_NODE_FLAGS.join(' ')} dist/daemon/main.js`);
  const firstLine = fs.readFileSync(path.join(paths.root, 'src', 'daemon', 'main.ts'), 'utf8').split('\n')[0];
  t.is(firstLine, `#!/usr/bin/env -S ${environment} node ${DAEMON_NODE_FLAGS.join(' ')}`);
});

test('templates: text in place, lines for a placeholder alone on its line, and a clear error for a missing value', (t) => {
  const template = 'A={{a}}\n  {{list}}\nB={{b}}\n{{none}}\nend';
  t.is(renderTemplate(template, { a: '1', list: { lines: ['x', 'y'] }, b: '2', none: { lines: [] } }, 'test'), 'A=1\n  x\n  y\nB=2\nend');
  t.throws(() => renderTemplate('A={{a}}', {}, 'units/x.service'), { message: /the template units\/x\.service uses \{\{a\}\}, which has no value/ });
  t.throws(() => renderTemplate('A={{list}}', { list: { lines: ['x'] } }, 'units/x.service'), { message: /inside a line/ });
});

test('unit syntax: blanks quoted, % and $ doubled, quotes and newlines escaped', (t) => {
  t.is(execCommandLine(['/usr/bin/node', '/opt/arena/main.js']), '/usr/bin/node /opt/arena/main.js');
  t.is(execCommandLine(['/opt/my arena/main.js']), '"/opt/my arena/main.js"');
  t.is(execCommandLine(['/opt/100%/$HOME/a"b']), '"/opt/100%%/$$HOME/a\\"b"');
  t.is(unitPath('/mnt/nas', true), '-/mnt/nas');
  t.is(unitPath('/mnt/my nas', true), '"-/mnt/my nas"');
  t.is(unitPath('/mnt/a\nb'), '"/mnt/a\\nb"', 'a newline cannot start a new setting');
  t.is(xmlText('a<b>&"c\''), 'a&lt;b&gt;&amp;&quot;c&apos;');
});
