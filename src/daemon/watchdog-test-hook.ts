/**
 * TEST-ONLY HOOK. With `ARENA_TEST_HOOKS=1` in the daemon's environment the
 * socket answers `debug.block {"seconds": N}`: right after the reply the
 * event loop is blocked synchronously for N seconds, as a hung daemon would
 * be, so that the systemd test can see the watchdog kill and restart it.
 * Without the variable the command does not exist.
 */
import { z } from 'zod';
import type { CommandDefinition } from '../control/command-registry.js';
import type { Logger } from '../log/logger.js';

export const TEST_HOOKS_VARIABLE = 'ARENA_TEST_HOOKS';

export function testHooksEnabled(env: NodeJS.ProcessEnv): boolean {
  return env[TEST_HOOKS_VARIABLE] === '1';
}

/** Blocks this thread without spinning the CPU: nothing else in the process runs meanwhile. */
function blockThread(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

export function debugBlockCommand(logger: Logger): CommandDefinition<{ seconds: number }> {
  return {
    name: 'debug.block',
    summary: `Test hook (${TEST_HOOKS_VARIABLE}=1 only): block the event loop for N seconds, as a hung daemon would.`,
    args: z.object({ seconds: z.number().positive().max(600) }).strict(),
    run({ seconds }) {
      logger.warn(`test hook: blocking the event loop for ${seconds} s`);
      // After the reply has been written, so the caller is not left waiting.
      setTimeout(() => blockThread(seconds * 1000), 50);
      return { blockingSeconds: seconds };
    },
  };
}
