/**
 * Code for a child that runs as another user (uid 65534): that user cannot
 * read a checkout in a private folder (a Debian home is 0700), nor its
 * node_modules, so the module it needs is bundled with its dependencies into
 * one file in a fresh world-readable folder. Nothing of the checkout is
 * opened up.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ExecutionContext } from 'ava';
import { build } from 'esbuild';

/** Bundles `entry` (a .ts file of the checkout) as an ES module; resolves with the bundle's path. */
export async function bundleForOtherUser(t: ExecutionContext, entry: string): Promise<string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'arena-bundle-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  fs.chmodSync(dir, 0o755);
  const outfile = path.join(dir, 'bundle.mjs');
  await build({ entryPoints: [entry], outfile, bundle: true, platform: 'node', format: 'esm', target: 'node20', logLevel: 'silent' });
  fs.chmodSync(outfile, 0o644);
  return outfile;
}
