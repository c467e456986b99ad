/**
 * The one way src/service runs other programs (systemctl, journalctl,
 * launchctl, useradd, loginctl, getent). It is injected, so that tests record
 * what would run instead of touching the machine's service manager.
 */
import { access } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { ServiceCommandError } from './errors.js';

export interface CommandResult {
  /** 127 when the program does not exist, 124 when it timed out (as the shell says). */
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
  /** The program was not found on PATH. */
  readonly missing: boolean;
  /** The signal that ended it, if one did (SIGPIPE when the reader of its output went away). */
  readonly signal?: NodeJS.Signals;
}

export interface RunOptions {
  readonly timeoutMs?: number;
  /** Output goes here as it arrives instead of into the result (`journalctl -f`). */
  readonly onStdout?: (text: string) => void;
  readonly onStderr?: (text: string) => void;
  /**
   * The program writes straight to this process's stdout and stderr: a pager
   * or `| head` that stops reading ends it with SIGPIPE, as in a shell.
   */
  readonly inheritOutput?: boolean;
}

export interface CommandRunner {
  run(file: string, args: readonly string[], options?: RunOptions): Promise<CommandResult>;
}

export const EXIT_MISSING = 127;
export const EXIT_TIMED_OUT = 124;

/** Runs programs for real, with execa. Never rejects: the exit code says how it went. */
export const systemRunner: CommandRunner = {
  async run(file, args, options = {}) {
    const streaming = options.onStdout !== undefined || options.onStderr !== undefined;
    const child = execa(file, [...args], {
      reject: false,
      stdin: 'ignore',
      ...(options.timeoutMs === undefined ? {} : { timeout: options.timeoutMs }),
      ...(streaming ? { buffer: false } : {}),
      ...(options.inheritOutput ? { stdout: 'inherit', stderr: 'inherit' } : {}),
    } as const);
    if (options.onStdout) child.stdout?.on('data', (chunk: Buffer) => options.onStdout!(chunk.toString()));
    if (options.onStderr) child.stderr?.on('data', (chunk: Buffer) => options.onStderr!(chunk.toString()));
    const result = await child;
    // A PATH that lists a folder this user may not enter turns "no such program" into EACCES.
    const missing = result.code === 'ENOENT' || (result.code === 'EACCES' && !(await existsOnPath(file)));
    const exitCode = result.exitCode ?? (missing ? EXIT_MISSING : result.timedOut ? EXIT_TIMED_OUT : 1);
    return {
      exitCode,
      stdout: typeof result.stdout === 'string' ? result.stdout : '',
      stderr: missing ? `${file}: command not found` : typeof result.stderr === 'string' ? result.stderr : '',
      missing,
      ...(result.signal ? { signal: result.signal } : {}),
    };
  },
};

/** Whether the program can be found at all, as a path or in a folder of $PATH, whatever its permissions. */
async function existsOnPath(file: string): Promise<boolean> {
  const candidates = file.includes('/') ? [file] : (process.env['PATH'] ?? '').split(path.delimiter).filter(Boolean).map((dir) => path.join(dir, file));
  for (const candidate of candidates) {
    // A folder or file this user cannot look into says nothing about whether the program is there.
    if (await access(candidate).then(() => true, () => false)) return true;
  }
  return false;
}

/** Runs a program and throws ServiceCommandError, quoting the command and its output, unless it exits 0. */
export async function runChecked(runner: CommandRunner, file: string, args: readonly string[], options?: RunOptions): Promise<CommandResult> {
  const result = await runner.run(file, args, options);
  if (result.exitCode !== 0) throw new ServiceCommandError([file, ...args], result.exitCode, `${result.stderr}\n${result.stdout}`);
  return result;
}
