/**
 * The version the package declares in its package.json. Tests compare the
 * product's output with this, never with a literal, so that a release bump
 * leaves them green and a product that reports the wrong version fails them.
 */
import fs from 'node:fs';

const manifest = JSON.parse(fs.readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

export const PACKAGE_VERSION = manifest.version;

/** The version as a regular-expression fragment that matches it literally (its dots are not wildcards). */
export const PACKAGE_VERSION_PATTERN = PACKAGE_VERSION.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
