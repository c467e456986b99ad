/**
 * The package as people install it: `npm pack` of a checkout that has no
 * dist/ yet (so its `prepare` must build one), then `npm install -g` of the
 * tarball into a prefix. The dependencies come from the npm cache that
 * `npm ci` filled, so no network is needed when it has them.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const checkoutRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** What a fresh clone would not have: built output, installed modules, git's own folder, packed tarballs. */
const NOT_IN_A_CLONE = new Set(['dist', 'node_modules', '.git']);

/** npm's cache, where `npm ci` left the dependencies: npm passes its own to scripts, else the default. */
export function npmCache(): string {
  return process.env.npm_config_cache || path.join(os.homedir(), '.npm');
}

async function npm(args: string[], cwd: string): Promise<string> {
  try {
    const { stdout } = await run('npm', args, { cwd, env: { ...process.env, npm_config_cache: npmCache() }, maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  } catch (error) {
    const failed = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`npm ${args.join(' ')} failed in ${cwd}: ${failed.message}\n${failed.stdout ?? ''}\n${failed.stderr ?? ''}`, { cause: error });
  }
}

/**
 * Packs a copy of the checkout as a fresh clone would be packed: without
 * dist/, with the checkout's node_modules standing in for `npm ci`. Resolves
 * with the tarball's path in `into`.
 */
export async function packFreshCopy(work: string, into: string): Promise<string> {
  const copy = path.join(work, 'clone');
  fs.cpSync(checkoutRoot, copy, {
    recursive: true,
    filter: (source) => !(path.dirname(source) === checkoutRoot && NOT_IN_A_CLONE.has(path.basename(source))) && !source.endsWith('.tgz'),
  });
  fs.symlinkSync(path.join(checkoutRoot, 'node_modules'), path.join(copy, 'node_modules'));
  fs.mkdirSync(into, { recursive: true });
  const name = (await npm(['pack', '--pack-destination', into, '--loglevel=error'], copy)).trim().split('\n').at(-1)!;
  return path.join(into, name);
}

/** Packs the checkout as it is (its dist/ already built) without running any script. */
export async function packBuilt(into: string): Promise<string> {
  fs.mkdirSync(into, { recursive: true });
  const name = (await npm(['pack', '--ignore-scripts', '--pack-destination', into, '--loglevel=error'], checkoutRoot)).trim().split('\n').at(-1)!;
  return path.join(into, name);
}

/** `npm install -g --prefix PREFIX TARBALL`, preferring the cache; resolves with the installed package folder. */
export async function installGlobally(tarball: string, prefix: string): Promise<string> {
  await npm(['install', '-g', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', tarball], path.dirname(tarball));
  return path.join(prefix, 'lib', 'node_modules', 'comfyui-arena');
}

/** The files in a tarball, without npm's `package/` prefix. */
export async function tarballFiles(tarball: string): Promise<string[]> {
  const { stdout } = await run('tar', ['-tzf', tarball], { maxBuffer: 16 * 1024 * 1024 });
  return stdout
    .split('\n')
    .filter(Boolean)
    .map((entry) => entry.replace(/^package\//, ''));
}
