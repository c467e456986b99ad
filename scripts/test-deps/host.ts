/** The real machine, as ensureTestDeps sees it. */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Host } from './ensure.js';

/** Whether `command` is an executable file in one of the PATH's folders, as a shell would find it. */
export function onPath(command: string, searchPath = process.env.PATH ?? ''): boolean {
  return searchPath
    .split(path.delimiter)
    .filter((dir) => dir !== '')
    .some((dir) => {
      try {
        fs.accessSync(path.join(dir, command), fs.constants.X_OK);
        return fs.statSync(path.join(dir, command)).isFile();
      } catch {
        return false; // not in this folder, or not executable: look in the next one
      }
    });
}

function openable(device: string): boolean {
  try {
    fs.accessSync(device, fs.constants.R_OK | fs.constants.W_OK);
    return true;
  } catch {
    return false; // missing or not ours to open: the message says what to do
  }
}

function runInheriting(argv: readonly string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const [program, ...args] = argv;
    // apt must never stop to ask a question in the middle of a test run.
    const child = spawn(program!, args, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

export function realHost(): Host {
  return {
    isRoot: process.getuid?.() === 0,
    hasApt: onPath('apt-get'),
    hasFuseDevice: openable('/dev/fuse'),
    hasCommand: (command) => onPath(command),
    run: runInheriting,
    say: (line) => process.stderr.write(`test-deps: ${line}\n`),
  };
}
