import fs from 'node:fs';
import path from 'node:path';
import type { Platform } from '../../src/config/schema.js';

/** A platform rooted in a temp folder: HOME inside it, nothing of the real user's. */
export function testPlatform(home: string, env: NodeJS.ProcessEnv = {}, cwd = home): Platform {
  return {
    env: { HOME: home, ...env },
    home,
    uid: 4242,
    cwd,
    exists: (file) => fs.existsSync(file),
  };
}

export function writeFile(file: string, text: string): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  return file;
}
