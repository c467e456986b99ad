import fs from 'node:fs/promises';

/**
 * The names in one of the updater's folders under `<library root>/.arena/`
 * (staging, versions), or none when it cannot be read: these folders are
 * made on first use, so a missing one simply holds nothing yet.
 */
export async function namesInFolder(dir: string): Promise<string[]> {
  return fs.readdir(dir).catch(() => []);
}
