import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, open, rm, utimes, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { keyOf, type DemoModel } from './demo-models.js';

/**
 * The throwaway world the demo runs in, all under one temp folder: a ComfyUI
 * install, a "NAS" library, an "SSD" cache, and every file the daemon owns.
 */
export interface Sandbox {
  readonly root: string;
  readonly comfy: string;
  readonly workflows: string;
  readonly output: string;
  readonly nas: string;
  readonly ssd: string;
  readonly daemonLog: string;
  readonly socket: string;
  /** The whole environment of arenad and arenactl: nothing of the user's own setup leaks in. */
  readonly env: NodeJS.ProcessEnv;
}

const CHUNK = 8 * 1024 * 1024;
/** Old enough that the library takes the files as finished at once, instead of waiting for them to settle. */
const MODEL_AGE_MS = 3 * 24 * 3600 * 1000;

/** The folders and the environment; the models come separately, so the narration can show them arrive. */
export async function createSandbox(): Promise<Sandbox> {
  // os.tmpdir() follows TMPDIR, so a caller chooses where the demo plays.
  const root = await mkdtemp(path.join(os.tmpdir(), 'arena-demo-'));
  const comfy = path.join(root, 'ComfyUI');
  const home = path.join(root, 'home');
  const sandbox = {
    root,
    comfy,
    workflows: path.join(comfy, 'user', 'default', 'workflows'),
    output: path.join(comfy, 'output'),
    nas: path.join(root, 'nas'),
    ssd: path.join(root, 'ssd'),
    daemonLog: path.join(root, 'arenad.log'),
    socket: path.join(root, 'run', 'arenad.sock'),
  };
  for (const dir of [sandbox.workflows, sandbox.output, path.join(comfy, 'models'), sandbox.nas, home]) await mkdir(dir, { recursive: true });
  const configFile = path.join(root, 'config.yaml');
  await writeFile(configFile, ['# Written by npm run demo: a quota sized for a small demo.', 'cache:', '  maxBytes: 1GB', ''].join('\n'));
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    ...(process.env.TMPDIR ? { TMPDIR: process.env.TMPDIR } : {}),
    HOME: home,
    XDG_CONFIG_HOME: path.join(home, '.config'),
    XDG_CACHE_HOME: path.join(home, '.cache'),
    XDG_STATE_HOME: path.join(home, '.local', 'state'),
    XDG_RUNTIME_DIR: path.join(root, 'run'),
    ARENA_CONFIG: configFile,
    ARENA_COMFY_ROOT: comfy,
    ARENA_LIBRARY_ROOTS: sandbox.nas,
    ARENA_CACHE_ROOT: sandbox.ssd,
    ARENA_STATE_DIR: path.join(root, 'state'),
    ARENA_SOCKET: sandbox.socket,
    ARENA_METRICS_LISTEN: 'off',
    // No ComfyUI server runs in the demo; a port known to be closed says so at once.
    ARENA_COMFY_URL: `http://127.0.0.1:${await closedPort()}`,
    ARENA_LOG_LEVEL: 'debug',
  };
  return { ...sandbox, env };
}

/** Writes one model of real random bytes (a copy needs real data to verify), with an mtime in the past. */
export async function writeLibraryModel(sandbox: Sandbox, model: DemoModel): Promise<string> {
  const file = path.join(sandbox.nas, ...keyOf(model).split('/'));
  await mkdir(path.dirname(file), { recursive: true });
  const handle = await open(file, 'w');
  try {
    for (let written = 0; written < model.bytes; written += CHUNK) {
      const chunk = randomBytes(Math.min(CHUNK, model.bytes - written));
      await handle.write(chunk, 0, chunk.length, written);
    }
  } finally {
    await handle.close();
  }
  const past = new Date(Date.now() - MODEL_AGE_MS);
  await utimes(file, past, past);
  return file;
}

export async function removeSandbox(sandbox: Sandbox): Promise<void> {
  await rm(sandbox.root, { recursive: true, force: true, maxRetries: 3 });
}

/** A local port that nothing listens on: bound once by the OS's choice, then released. */
function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
