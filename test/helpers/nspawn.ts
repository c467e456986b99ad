/**
 * Boots a real systemd in a container with systemd-nspawn, following the
 * usual recipe: a root folder with a copy of /etc, the host's /usr
 * bound read-only, the project bound at /srv/arena, and a private mount
 * namespace. Commands run inside through a small agent (a service of the
 * container) that takes requests as files in a shared folder, so a test
 * drives the container step by step and asserts on each answer.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ExecutionContext } from 'ava';

export const PROJECT_IN_MACHINE = '/srv/arena';

export interface MachineResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  readonly env?: Record<string, string>;
  readonly timeoutMs?: number;
}

export interface Machine {
  /** Runs a command as root inside the container and resolves with its outcome. */
  run(argv: readonly string[], options?: RunOptions): Promise<MachineResult>;
  /** Like run, but fails with the command's output unless it exits 0. */
  check(argv: readonly string[], options?: RunOptions): Promise<string>;
  /** Writes a file inside the container (through the shared folder). */
  writeFile(file: string, text: string): Promise<void>;
  /** The container's console so far (systemd's boot messages). */
  console(): string;
}

/** The container's side: runs each request file it finds, writes the reply beside it. */
const AGENT = String.raw`
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
const requests = '/out/requests';
const replies = '/out/replies';
const pause = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
fs.writeFileSync('/out/agent-ready', String(process.pid));
for (;;) {
  for (const name of fs.readdirSync(requests).filter((entry) => entry.endsWith('.json')).sort()) {
    const file = path.join(requests, name);
    const request = JSON.parse(fs.readFileSync(file, 'utf8'));
    fs.rmSync(file);
    if (request.poweroff) {
      spawnSync('systemctl', ['poweroff', '--no-block']);
      process.exit(0);
    }
    const ran = spawnSync(request.argv[0], request.argv.slice(1), {
      encoding: 'utf8',
      timeout: request.timeoutMs,
      env: { ...process.env, ...request.env },
      input: '',
      maxBuffer: 64 * 1024 * 1024,
    });
    const reply = {
      code: ran.status ?? 128,
      stdout: ran.stdout ?? '',
      stderr: (ran.stderr ?? '') + (ran.error ? '\n' + String(ran.error) : '') + (ran.signal ? '\nkilled by ' + ran.signal : ''),
    };
    fs.writeFileSync(path.join(replies, name + '.tmp'), JSON.stringify(reply));
    fs.renameSync(path.join(replies, name + '.tmp'), path.join(replies, name));
  }
  pause(50);
}
`;

const AGENT_UNIT = `[Unit]
Description=Test agent: runs the commands the host test sends
After=multi-user.target

[Service]
ExecStart=/usr/bin/node /out/agent.mjs
Environment=HOME=/root

[Install]
WantedBy=multi-user.target
`;

function which(program: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${program}`]).status === 0;
}

/** Fails (never skips) with what to install when the machine cannot boot a container. */
function requireNspawn(): void {
  const missing: string[] = [];
  if (process.getuid?.() !== 0) missing.push('root (systemd-nspawn needs it)');
  if (!which('systemd-nspawn')) missing.push('systemd-nspawn (apt-get install systemd-container; .ci/run installs it)');
  if (!which('unshare')) missing.push('unshare (util-linux)');
  if (missing.length > 0) throw new Error(`cannot boot a systemd container here; missing: ${missing.join(', ')}`);
}

/** A root folder a container boots from: /etc copied with a real os-release, the rest empty or linked into /usr. */
function makeRoot(root: string): void {
  fs.mkdirSync(root, { recursive: true });
  // cp -a keeps owners and modes (/etc/shadow, sudoers), which fs.cpSync does not.
  const copied = spawnSync('cp', ['-a', '/etc', path.join(root, 'etc')], { encoding: 'utf8' });
  if (copied.status !== 0) throw new Error(`copying /etc for the container failed: ${copied.stderr}`);
  const osRelease = path.join(root, 'etc', 'os-release');
  fs.rmSync(osRelease, { force: true });
  fs.copyFileSync(fs.existsSync('/usr/lib/os-release') ? '/usr/lib/os-release' : '/etc/os-release', osRelease);
  for (const dir of ['bin', 'lib', 'lib64', 'sbin']) fs.symlinkSync(`usr/${dir}`, path.join(root, dir));
  for (const dir of ['usr', 'var', 'tmp', 'root', 'run', 'proc', 'sys', 'dev', 'home', 'srv/arena', 'out']) {
    fs.mkdirSync(path.join(root, dir), { recursive: true });
  }
  fs.chmodSync(path.join(root, 'tmp'), 0o1777);
  // The host's own machine-id would make the container's journal look like the host's.
  fs.rmSync(path.join(root, 'etc', 'machine-id'), { force: true });
  fs.writeFileSync(path.join(root, 'etc', 'machine-id'), '');
  const units = path.join(root, 'etc', 'systemd', 'system');
  fs.writeFileSync(path.join(units, 'arena-test-agent.service'), AGENT_UNIT);
  fs.mkdirSync(path.join(units, 'multi-user.target.wants'), { recursive: true });
  fs.symlinkSync('/etc/systemd/system/arena-test-agent.service', path.join(units, 'multi-user.target.wants', 'arena-test-agent.service'));
  // Whatever the host left installed must not start in the container.
  fs.rmSync(path.join(units, 'arenad.service'), { force: true });
  fs.rmSync(path.join(units, 'arenad.service.d'), { recursive: true, force: true });
  fs.rmSync(path.join(units, 'multi-user.target.wants', 'arenad.service'), { force: true });
  fs.rmSync(path.join(root, 'etc', 'arena'), { recursive: true, force: true });
}

async function until<T>(what: string, deadline: number, probe: () => T | undefined, failure: () => string | undefined): Promise<T> {
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    const failed = failure();
    if (failed !== undefined) throw new Error(failed);
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function waitForExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/**
 * Boots the container and resolves once its agent runs. Everything is torn
 * down when the test ends, pass or fail: the container is powered off (or
 * killed), and with the last process of its private mount namespace its
 * mounts go too; the root and shared folders are removed.
 */
export interface MachineOptions {
  readonly project: string;
  readonly bootTimeoutMs?: number;
  /** More host folders to bind into the container, each at a path of its own (one host folder may appear at several). */
  readonly binds?: ReadonlyArray<{ readonly host: string; readonly machine: string }>;
}

export async function bootMachine(t: ExecutionContext, options: MachineOptions): Promise<Machine> {
  requireNspawn();
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'arena-nspawn-'));
  const root = path.join(base, 'root');
  const out = path.join(base, 'out');
  fs.mkdirSync(path.join(out, 'requests'), { recursive: true });
  fs.mkdirSync(path.join(out, 'replies'), { recursive: true });
  fs.mkdirSync(path.join(out, 'files'), { recursive: true });
  fs.writeFileSync(path.join(out, 'agent.mjs'), AGENT);
  makeRoot(root);

  // Extra binds are passed as positional parameters, so no path is ever parsed by the shell.
  const binds = (options.binds ?? []).map((bind) => `--bind=${bind.host}:${bind.machine}`);
  const script =
    'mount --make-rprivate / && mkdir -p /run/systemd/nspawn && mount -t tmpfs tmpfs /run/systemd/nspawn && ' +
    `root="$0" project="$1" out="$2"; shift 2; ` +
    `exec systemd-nspawn -q -D "$root" --bind-ro=/usr --bind="$project":${PROJECT_IN_MACHINE} --bind="$out":/out "$@" --register=no --keep-unit --boot`;
  const child = spawn('unshare', ['-m', 'sh', '-c', script, root, options.project, out, ...binds], { stdio: ['ignore', 'pipe', 'pipe'] });
  let consoleText = '';
  child.stdout.on('data', (chunk: Buffer) => (consoleText += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (consoleText += chunk.toString()));
  let exited = false;
  child.once('exit', () => (exited = true));

  let sequence = 0;
  const agentAlive = () => !exited && fs.existsSync(path.join(out, 'agent-ready'));
  t.teardown(async () => {
    if (agentAlive()) {
      fs.writeFileSync(path.join(out, 'requests', 'zz-poweroff.json'), JSON.stringify({ poweroff: true }));
    }
    if (!(await waitForExit(child, 20_000))) {
      child.kill('SIGTERM');
      if (!(await waitForExit(child, 10_000))) {
        child.kill('SIGKILL');
        await waitForExit(child, 10_000);
      }
    }
    fs.rmSync(base, { recursive: true, force: true });
  });

  const bootTimeoutMs = options.bootTimeoutMs ?? 60_000;
  await until(
    'the container to boot and its agent to start',
    Date.now() + bootTimeoutMs,
    () => (fs.existsSync(path.join(out, 'agent-ready')) ? true : undefined),
    () => (exited ? `systemd-nspawn exited before the container was up:\n${consoleText.slice(-4000)}` : undefined),
  );

  const run = async (argv: readonly string[], runOptions: RunOptions = {}): Promise<MachineResult> => {
    sequence += 1;
    const name = `${String(sequence).padStart(6, '0')}.json`;
    const timeoutMs = runOptions.timeoutMs ?? 60_000;
    const staged = path.join(out, 'requests', `${name}.tmp`);
    fs.writeFileSync(staged, JSON.stringify({ argv, env: runOptions.env ?? {}, timeoutMs }));
    fs.renameSync(staged, path.join(out, 'requests', name));
    const replyFile = path.join(out, 'replies', name);
    return until(
      `\`${argv.join(' ')}\` in the container`,
      Date.now() + timeoutMs + 15_000,
      () => (fs.existsSync(replyFile) ? (JSON.parse(fs.readFileSync(replyFile, 'utf8')) as MachineResult) : undefined),
      () => (exited ? `the container stopped while running \`${argv.join(' ')}\`:\n${consoleText.slice(-4000)}` : undefined),
    );
  };

  const machine: Machine = {
    run,
    async check(argv, runOptions) {
      const result = await run(argv, runOptions);
      if (result.code !== 0) throw new Error(`\`${argv.join(' ')}\` exited ${result.code} in the container:\n${result.stdout}\n${result.stderr}`);
      return result.stdout;
    },
    async writeFile(file, text) {
      sequence += 1;
      const shared = path.join(out, 'files', String(sequence));
      fs.writeFileSync(shared, text);
      await machine.check(['sh', '-c', 'mkdir -p "$(dirname "$2")" && cp "$1" "$2"', 'sh', `/out/files/${sequence}`, file]);
    },
    console: () => consoleText,
  };
  return machine;
}
