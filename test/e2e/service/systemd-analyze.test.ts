/**
 * The rendered unit files as systemd itself reads them: systemd-analyze
 * verify prints nothing, and security scores the system unit.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { renderUserUnit } from '../../../src/service/render-units.js';
import { paths, systemUnit, unitFile } from '../../helpers/system-unit.js';
import { tempDir } from '../../helpers/temp-dir.js';

/** The most the system unit may score in `systemd-analyze security` (lower is safer); INSTALL.md quotes the score. */
const SECURITY_CEILING = 3.0;

function analyze(args: string[], env: NodeJS.ProcessEnv = {}) {
  const result = spawnSync('systemd-analyze', args, { encoding: 'utf8', env: { ...process.env, ...env } });
  if (result.error) throw new Error(`systemd-analyze cannot run (${result.error.message}); install Debian's systemd package (npm run test:e2e does, as root)`);
  return result;
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
