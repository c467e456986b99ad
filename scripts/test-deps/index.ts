/**
 * Run before a test tier: installs the Debian packages it needs that are
 * missing (as root, with apt), or names the install line and exits 1.
 *
 *   node --import tsx scripts/test-deps/index.ts [journeys] [e2e]     (no tier: all of them)
 */
import { ensureTestDeps, TestDepsError } from './ensure.js';
import { realHost } from './host.js';
import { TIERS, type Tier } from './requirements.js';

function isTier(name: string): name is Tier {
  return (TIERS as readonly string[]).includes(name);
}

async function main(args: readonly string[]): Promise<number> {
  const unknown = args.filter((arg) => !isTier(arg));
  if (unknown.length > 0) {
    process.stderr.write(
      `test-deps: unknown tier ${unknown.map((arg) => `"${arg}"`).join(', ')}; the tiers that need packages are: ${TIERS.join(', ')}\n`,
    );
    return 2;
  }
  const tiers = args.length > 0 ? args.filter(isTier) : TIERS;
  try {
    await ensureTestDeps(tiers, realHost());
    return 0;
  } catch (error) {
    if (!(error instanceof TestDepsError)) throw error;
    process.stderr.write(`test-deps: ${error.message}\n`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
