import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * How the demo starts arenad and arenactl: their TypeScript sources through
 * tsx, the loader the demo itself runs under. The sources are always there
 * and always current, whereas `dist/` may be missing or older than the
 * checkout.
 */

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
/** Resolved here, because the children run in the sandbox, where `tsx` cannot be found by name. */
const tsxLoader = import.meta.resolve('tsx');

/** The arguments for process.execPath that run a program of the package. */
export function nodeArgsFor(program: 'arenad' | 'arenactl'): string[] {
  const entry = program === 'arenad' ? path.join(repoRoot, 'src', 'daemon', 'main.ts') : path.join(repoRoot, 'src', 'cli', 'main.ts');
  return ['--import', tsxLoader, entry];
}
