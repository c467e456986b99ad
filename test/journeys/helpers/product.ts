/**
 * The built product as a user meets it: `arenad` and `arenactl` from `dist/`
 * on the PATH, a private (0700) home with a ComfyUI tree and a NAS folder,
 * and a shell to type commands into, pipes included. Nothing here imports
 * the product's source: a journey sees only binaries, files and the socket.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomFillSync } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ExecutionContext } from 'ava';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const distDaemon = path.join(repoRoot, 'dist', 'daemon', 'main.js');
const distCli = path.join(repoRoot, 'dist', 'cli', 'main.js');

/** The newest modification time of any file under a folder. */
function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) newest = Math.max(newest, fs.statSync(path.join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

/** Journeys run the build, not the source: refuse a missing or stale `dist/` rather than test old code. */
export function assertBuilt(): void {
  if (!fs.existsSync(distDaemon) || !fs.existsSync(distCli)) throw new Error('dist/ is missing: run `npm run build` first');
  if (newestMtime(path.join(repoRoot, 'src')) > newestMtime(path.join(repoRoot, 'dist'))) {
    throw new Error('dist/ is older than src/: run `npm run build` first');
  }
}

export interface World {
  /** The private folder everything lives in (mode 0700, like a Debian home). */
  readonly base: string;
  readonly home: string;
  readonly comfy: string;
  readonly nas: string;
  readonly workflows: string;
  readonly cacheRoot: string;
  readonly stateDir: string;
  readonly socket: string;
  /** The environment a user's shell would have: HOME, PATH with arenad and arenactl, the NAS as a library root. */
  readonly env: NodeJS.ProcessEnv;
}

export interface WorldOptions {
  /** Extra variables for every command of this world. */
  readonly env?: NodeJS.ProcessEnv;
  /** Leave out ARENA_LIBRARY_ROOTS (the NAS folder is still made). */
  readonly noLibraryRoot?: boolean;
}

/**
 * A user's machine in a temp folder: `~/ComfyUI` with its workflows folder, a
 * NAS folder of models, and `arenad`/`arenactl` commands on the PATH that run
 * `dist/` the way an installed package's bins do.
 */
export function makeWorld(t: ExecutionContext, options: WorldOptions = {}): Promise<World> {
  assertBuilt();
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'arena-journey-'));
  fs.chmodSync(base, 0o700);
  t.teardown(() => fs.rmSync(base, { recursive: true, force: true }));
  const home = path.join(base, 'home');
  const comfy = path.join(home, 'ComfyUI');
  const workflows = path.join(comfy, 'user', 'default', 'workflows');
  const nas = path.join(base, 'nas');
  const bin = path.join(base, 'bin');
  // A NAS library has its category folders before any model lands in them.
  const nasFolders = ['checkpoints', 'loras', 'vae'].map((category) => path.join(nas, category));
  for (const dir of [workflows, path.join(comfy, 'models', 'checkpoints'), path.join(comfy, 'output'), ...nasFolders, bin]) {
    fs.mkdirSync(dir, { recursive: true });
  }
  for (const [name, entry] of [
    ['arenad', distDaemon],
    ['arenactl', distCli],
  ] as const) {
    fs.writeFileSync(path.join(bin, name), `#!/bin/sh\nexec "${process.execPath}" "${entry}" "$@"\n`, { mode: 0o755 });
  }
  const runtime = path.join(base, 'run');
  fs.mkdirSync(runtime, { mode: 0o700 });
  const env: NodeJS.ProcessEnv = {
    PATH: `${bin}:${path.dirname(process.execPath)}:/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin`,
    HOME: home,
    LANG: 'C.UTF-8',
    XDG_RUNTIME_DIR: runtime,
    ARENA_METRICS_LISTEN: 'off',
    ...(options.noLibraryRoot ? {} : { ARENA_LIBRARY_ROOTS: nas }),
    ...options.env,
  };
  return Promise.resolve({
    base,
    home,
    comfy,
    nas,
    workflows,
    cacheRoot: path.join(home, '.cache', 'arena'),
    stateDir: path.join(home, '.local', 'state', 'arena'),
    socket: path.join(runtime, 'arena', 'arenad.sock'),
    env,
  });
}

export interface ShellResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command line in bash as the user would type it (pipes, redirections), with `pipefail`. */
export function sh(world: World, line: string, options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<ShellResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-o', 'pipefail', '-c', line], {
      cwd: options.cwd ?? world.home,
      env: { ...world.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal === null ? -1 : 128 + os.constants.signals[signal]), stdout, stderr });
    });
  });
}

/** `arenactl ARGS --json` parsed; fails the journey with everything printed when it does not exit 0. */
export async function arenactlJson<T = Record<string, unknown>>(world: World, args: string): Promise<T> {
  const result = await sh(world, `arenactl ${args} --json`);
  if (result.code !== 0) throw new Error(`arenactl ${args} --json exited ${result.code}:\n${result.stdout}\n${result.stderr}`);
  return JSON.parse(result.stdout) as T;
}

export interface RunningDaemon {
  readonly process: ChildProcess;
  output(): string;
  readonly exited: Promise<number | null>;
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<void>;
  stop(): Promise<number | null>;
}

/**
 * `arenad` started from a shell in `cwd` (the home by default, not the
 * checkout), in the foreground as `npm start` runs it. With `ready` it
 * waits until `arenactl status` answers with the daemon past `starting`.
 */
export async function startArenad(
  t: ExecutionContext,
  world: World,
  options: {
    args?: string;
    cwd?: string;
    env?: NodeJS.ProcessEnv;
    ready?: boolean;
    /** A command that runs arenad for the user, such as `setpriv ...` to drop root's privileges. */
    wrapper?: string;
    /** What the user's shell does first, such as `ulimit -n 1024;` or `umask 0000;`. */
    shellPrefix?: string;
  } = {},
): Promise<RunningDaemon> {
  const child = spawn(
    'bash',
    ['-c', `${options.shellPrefix ?? ''} exec ${options.wrapper ? `${options.wrapper} ` : ''}arenad ${options.args ?? ''}`],
    {
      cwd: options.cwd ?? world.home,
      env: { ...world.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  let running = true;
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      running = false;
      resolve(code);
    }),
  );
  t.teardown(async () => {
    if (!running) return;
    child.kill('SIGKILL');
    await exited;
  });
  const daemon: RunningDaemon = {
    process: child,
    output: () => output,
    exited,
    waitForOutput: (pattern, timeoutMs = 30_000) =>
      until(
        () => pattern.test(output),
        timeoutMs,
        () => `daemon output matching ${pattern}; it printed:\n${output}`,
      ),
    async stop() {
      if (running) child.kill('SIGTERM');
      return exited;
    },
  };
  if (options.ready !== false) {
    await until(
      async () => {
        if (!running) throw new Error(`arenad exited early:\n${output}`);
        const status = await sh(world, 'arenactl status --json', { env: options.env });
        return status.code === 0 && (JSON.parse(status.stdout) as { state: string }).state !== 'starting';
      },
      60_000,
      () => `arenad to answer on its socket; it printed:\n${output}`,
    );
  }
  return daemon;
}

/** Polls `check` every 100 ms until it holds, or fails with `what()` after `timeoutMs`. */
export async function until(check: () => boolean | Promise<boolean>, timeoutMs: number, what: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * A model file written now, as a finished download leaves it: real random
 * bytes and a fresh mtime, not an old file that was always there.
 */
export function downloadModel(file: string, bytes: number): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const fd = fs.openSync(file, 'w');
  try {
    const chunk = Buffer.alloc(Math.min(bytes, 4 * 1024 * 1024));
    for (let written = 0; written < bytes; written += chunk.length) {
      fs.writeSync(fd, randomFillSync(chunk), 0, Math.min(chunk.length, bytes - written));
    }
  } finally {
    fs.closeSync(fd);
  }
}

/** A UI-format workflow that loads these checkpoints, as ComfyUI saves it (compact JSON, one line). */
export function checkpointWorkflow(...names: string[]): string {
  const nodes = names.map((name, index) => ({
    id: index + 1,
    type: 'CheckpointLoaderSimple',
    mode: 0,
    widgets_values: [name],
    inputs: [],
    properties: {},
  }));
  return JSON.stringify({ nodes, links: [], groups: [], extra: {}, version: 0.4 });
}

/** Saves a workflow the way current ComfyUI does: a temp file in the same folder, then a rename over the name. */
export function saveWorkflow(world: World, name: string, content: string): string {
  const target = path.join(world.workflows, name);
  const temp = path.join(world.workflows, `tmp${Math.random().toString(36).slice(2, 10)}`);
  fs.writeFileSync(temp, content);
  fs.renameSync(temp, target);
  return target;
}

/** Saves in place, as older ComfyUI does: truncate, then write, so a reader may see it empty. */
export function saveWorkflowInPlace(world: World, name: string, content: string): string {
  const target = path.join(world.workflows, name);
  const fd = fs.openSync(target, 'w');
  try {
    const half = Math.floor(content.length / 2);
    fs.writeSync(fd, content.slice(0, half));
    fs.fsyncSync(fd);
    fs.writeSync(fd, content.slice(half));
  } finally {
    fs.closeSync(fd);
  }
  return target;
}
