/**
 * The rendered unit files and their syntax, and the LaunchAgent plist as a
 * plist parser reads it. How systemd itself reads the units (systemd-analyze)
 * is in test/e2e/service/systemd-analyze.test.ts.
 */
import fs from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { parse as parsePlist } from 'plist';
import { DAEMON_ENVIRONMENT, DAEMON_NODE_FLAGS } from '../../src/service/node-flags.js';
import { renderLaunchAgent } from '../../src/service/render-units.js';
import { renderTemplate } from '../../src/service/template.js';
import { execCommandLine, unitPath, xmlText } from '../../src/service/unit-syntax.js';
import { paths, systemUnit } from '../helpers/system-unit.js';

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
