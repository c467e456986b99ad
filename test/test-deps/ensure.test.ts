/** The step before a test tier: installs what is missing as root with apt, otherwise names the line to run and fails. */
import fs from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { ensureTestDeps, installLine, type Host } from '../../scripts/test-deps/ensure.js';
import { onPath } from '../../scripts/test-deps/host.js';
import { REQUIREMENTS } from '../../scripts/test-deps/requirements.js';
import { tempDir } from '../helpers/temp-dir.js';

const EVERY_COMMAND = REQUIREMENTS.map((requirement) => requirement.command);

interface FakeHost extends Host {
  readonly runs: string[];
  readonly said: string[];
}

/** A machine with `installed` on its PATH; a successful apt-get install adds the commands of the packages it names. */
function fakeHost(options: {
  installed: readonly string[];
  isRoot?: boolean;
  hasApt?: boolean;
  hasFuseDevice?: boolean;
  aptExitCode?: number;
  installAddsCommands?: boolean;
}): FakeHost {
  const installed = new Set(options.installed);
  const runs: string[] = [];
  const said: string[] = [];
  return {
    isRoot: options.isRoot ?? true,
    hasApt: options.hasApt ?? true,
    hasFuseDevice: options.hasFuseDevice ?? true,
    hasCommand: (command) => installed.has(command),
    run(argv) {
      runs.push(argv.join(' '));
      const code = options.aptExitCode ?? 0;
      if (code === 0 && argv[1] === 'install' && options.installAddsCommands !== false) {
        for (const requirement of REQUIREMENTS) if (argv.includes(requirement.debianPackage)) installed.add(requirement.command);
      }
      return Promise.resolve(code);
    },
    say: (line) => said.push(line),
    runs,
    said,
  };
}

const allBut = (...absent: string[]) => EVERY_COMMAND.filter((command) => !absent.includes(command));

test('with everything there, apt is not run and nothing is said', async (t) => {
  const host = fakeHost({ installed: EVERY_COMMAND });
  await ensureTestDeps(['journeys', 'e2e'], host);
  t.deepEqual(host.runs, []);
  t.deepEqual(host.said, []);
});

test('as root with apt: one apt-get update, then one install of only the missing packages, each named once', async (t) => {
  const host = fakeHost({ installed: allBut('bindfs', 'promtool', 'prometheus', 'pgrep') });
  await ensureTestDeps(['journeys', 'e2e'], host);
  t.deepEqual(host.runs, ['apt-get update -q', 'apt-get install -y -q --no-install-recommends procps bindfs prometheus']);
  t.regex(host.said.join('\n'), /bindfs \(Debian package bindfs\): the FUSE mount/);
});

test('not root: the exact apt-get install line of the missing packages, no apt run, and a failure', async (t) => {
  const host = fakeHost({ installed: allBut('systemd-nspawn', 'python3'), isRoot: false });
  const error = await t.throwsAsync(ensureTestDeps(['e2e'], host));
  t.true(error.message.includes('As root, run:\n  apt-get install -y --no-install-recommends systemd-container python3\n'), error.message);
  t.regex(error.message, /systemd-nspawn \(Debian package systemd-container\)/);
  t.regex(error.message, /the e2e tests need root/);
  t.deepEqual(host.runs, []);
});

test('root on a machine without apt: names what to install, installs nothing, fails', async (t) => {
  const host = fakeHost({ installed: allBut('bindfs'), hasApt: false });
  const error = await t.throwsAsync(ensureTestDeps(['e2e'], host));
  t.true(error.message.includes(`no apt-get`), error.message);
  t.true(error.message.includes(installLine(['bindfs'])), error.message);
  t.deepEqual(host.runs, []);
});

test('the e2e tier fails without root or without /dev/fuse even when every package is there', async (t) => {
  const notRoot = await t.throwsAsync(ensureTestDeps(['e2e'], fakeHost({ installed: EVERY_COMMAND, isRoot: false })));
  t.regex(notRoot.message, /need root .*sudo npm run test:e2e/);
  const noFuse = await t.throwsAsync(ensureTestDeps(['e2e'], fakeHost({ installed: EVERY_COMMAND, hasFuseDevice: false })));
  t.regex(noFuse.message, /\/dev\/fuse is missing or not open to this user/);
});

test('the journeys tier asks only for its own programs, and runs as any user', async (t) => {
  await ensureTestDeps(['journeys'], fakeHost({ installed: allBut('bindfs', 'systemd-nspawn'), isRoot: false, hasFuseDevice: false }));
  const error = await t.throwsAsync(ensureTestDeps(['journeys'], fakeHost({ installed: allBut('pgrep', 'bindfs'), isRoot: false })));
  t.true(error.message.includes(`  ${installLine(['procps'])}`), error.message);
  t.false(error.message.includes('bindfs'), 'bindfs is the e2e tier’s');
  t.false(error.message.includes('root ('), 'journeys need no root');
});

test('a failing apt-get, or a package that did not bring its command, fails with what went wrong', async (t) => {
  const failing = fakeHost({ installed: allBut('bindfs'), aptExitCode: 100 });
  const aptError = await t.throwsAsync(ensureTestDeps(['e2e'], failing));
  t.is(aptError.message, 'apt-get update -q exited 100');
  t.deepEqual(failing.runs, ['apt-get update -q']);

  const empty = fakeHost({ installed: allBut('bindfs'), installAddsCommands: false });
  const stillError = await t.throwsAsync(ensureTestDeps(['e2e'], empty));
  t.regex(stillError.message, /after installing bindfs, these are still not on the PATH:\n {2}bindfs /);
});

test('onPath finds an executable file in a PATH folder, not a plain file or a folder of that name', async (t) => {
  const dir = await tempDir(t);
  const other = await tempDir(t);
  fs.writeFileSync(path.join(dir, 'tool'), '#!/bin/sh\n', { mode: 0o755 });
  fs.writeFileSync(path.join(dir, 'notes'), 'text', { mode: 0o644 });
  fs.mkdirSync(path.join(dir, 'folder'));
  const searchPath = [other, '', dir].join(path.delimiter);
  t.true(onPath('tool', searchPath));
  t.false(onPath('notes', searchPath));
  t.false(onPath('folder', searchPath));
  t.false(onPath('missing', searchPath));
});
