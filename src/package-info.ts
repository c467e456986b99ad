import { createRequire } from 'node:module';

/** package.json sits two levels up from both src/<module>/ and dist/<module>/. */
const manifest = createRequire(import.meta.url)('../package.json') as { name: string; version: string };

export const PACKAGE_NAME = manifest.name;
export const VERSION = manifest.version;
