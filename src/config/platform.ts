import fs from 'node:fs';
import os from 'node:os';
import type { Platform } from './schema.js';

/** The real surroundings of this process. */
export function currentPlatform(): Platform {
  return {
    env: process.env,
    home: os.homedir(),
    uid: process.getuid?.() ?? 0,
    cwd: process.cwd(),
    exists: (file) => fs.existsSync(file),
  };
}
