import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const ENTRIES = ['dist/daemon/main.js', 'dist/cli/main.js'];

function newestSourceTime(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSourceTime(full));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, fs.statSync(full).mtimeMs);
  }
  return newest;
}

/**
 * The container runs the built package (dist/), as an installed service
 * would. Builds it when it is missing or older than a source file. Type
 * errors are the typecheck's business: the build only has to emit.
 */
export function ensureBuilt(project: string): string {
  const times = ENTRIES.map((entry) => fs.statSync(path.join(project, entry), { throwIfNoEntry: false })?.mtimeMs ?? 0);
  if (Math.min(...times) > newestSourceTime(path.join(project, 'src'))) return 'dist/ is up to date';
  const tsc = path.join(project, 'node_modules', '.bin', 'tsc');
  const built = spawnSync(tsc, ['-p', 'tsconfig.build.json'], { cwd: project, encoding: 'utf8', timeout: 300_000 });
  const fresh = ENTRIES.every((entry) => (fs.statSync(path.join(project, entry), { throwIfNoEntry: false })?.mtimeMs ?? 0) > Math.max(...times));
  if (!fresh) throw new Error(`building dist/ for the container failed (exit ${built.status}):\n${built.stdout}${built.stderr}`);
  return built.status === 0 ? 'built dist/' : `built dist/ (tsc reported type errors, left to the typecheck):\n${built.stdout.slice(0, 2000)}`;
}
