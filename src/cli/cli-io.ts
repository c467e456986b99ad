import type { Platform } from '../config/schema.js';
import { currentPlatform } from '../config/platform.js';
import { endQuietlyWhenReaderLeaves } from './closed-pipe.js';

export interface TextSink {
  write(text: string): unknown;
  readonly isTTY?: boolean;
}

/** Everything a command touches of the outside world, injected so that tests read the output. */
export interface CliIo {
  readonly stdout: TextSink;
  readonly stderr: TextSink;
  readonly platform: Platform;
}

export function processIo(): CliIo {
  endQuietlyWhenReaderLeaves(process, (code) => process.exit(code));
  return { stdout: process.stdout, stderr: process.stderr, platform: currentPlatform() };
}
