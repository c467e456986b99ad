#!/usr/bin/env node
import { processIo } from './cli-io.js';
import { runCli } from './run-cli.js';

/**
 * A finished command must not linger: if some handle (a socket whose daemon
 * died mid-reply, say) would keep the process alive, this exits anyway once
 * stdout and stderr have had time to flush. Unref'd, it never delays an exit.
 */
function exitSoonAfterDone(code: number): void {
  process.exitCode = code;
  setTimeout(() => process.exit(code), 2000).unref();
}

runCli(process.argv.slice(2), processIo()).then(
  (code) => {
    exitSoonAfterDone(code);
  },
  (error: unknown) => {
    process.stderr.write(`arenactl: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  },
);
