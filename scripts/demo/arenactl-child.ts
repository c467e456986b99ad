import { spawn } from 'node:child_process';
import { DemoError } from './demo-error.js';
import { nodeArgsFor } from './entry-points.js';
import type { Sandbox } from './sandbox.js';

/** A real arenactl run, as a user would type it in a shell inside the sandbox. */
export interface ArenactlRun {
  readonly code: number | null;
  /** stdout and stderr in the order they arrived, as a terminal shows them. */
  readonly text: string;
}

export function runArenactl(sandbox: Sandbox, args: readonly string[]): Promise<ArenactlRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeArgsFor('arenactl'), ...args], {
      cwd: sandbox.root,
      env: sandbox.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let text = '';
    child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    child.once('error', (error) => reject(new DemoError(`arenactl ${args.join(' ')} could not start: ${error.message}`, { cause: error })));
    child.once('close', (code) => resolve({ code, text }));
  });
}
