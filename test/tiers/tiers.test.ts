/**
 * The test tiers (README, "The two commands"): every test file is in exactly one, and
 * the tiers that run as any user hold nothing that needs root or a second
 * user. CI runs every tier as root, where such a test would pass in the wrong
 * tier and then fail for the next person who runs `npm run test:unit`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import test from 'ava';
import fg from 'fast-glob';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const TIERS = ['unit', 'integration', 'journeys', 'e2e'] as const;

interface AvaConfig {
  readonly files: readonly string[];
}

async function configFiles(configPath: string): Promise<string[]> {
  const config = ((await import(pathToFileURL(path.join(repoRoot, configPath)).href)) as { default: AvaConfig }).default;
  const include = config.files.filter((pattern) => !pattern.startsWith('!'));
  const ignore = config.files.filter((pattern) => pattern.startsWith('!')).map((pattern) => pattern.slice(1));
  return (await fg([...include], { cwd: repoRoot, ignore })).sort();
}

/** What only root may do, as the tests do it: mount, chown to another owner, run as another user. */
const NEEDS_ROOT = [
  /execFileSync\('mount'/,
  /execa\('mount'/,
  /chownSync\(/,
  /uid: 65534/,
  /runuser /,
  /library-bindfs\.js/,
  /nspawn\.js/,
  /bundle-for-other-user\.js/,
];
/** What a fresh Debian lacks until the e2e tier's step installs it. */
const NEEDS_PACKAGE = [/execa\('promtool'/, /spawnSync\('systemd-analyze'/, /prometheus-server\.js/];

test('every test file is in exactly one tier, and the default config runs them all', async (t) => {
  const all = await configFiles('ava.config.js');
  const tiers = await Promise.all(TIERS.map((tier) => configFiles(`test/tiers/${tier}.config.js`)));
  for (const [index, files] of tiers.entries()) t.true(files.length > 0, `the ${TIERS[index]} tier has tests`);
  const placed = tiers.flat();
  t.deepEqual(placed.slice().sort(), all, 'each file once, none left out');
  t.true(all.includes('test/tiers/tiers.test.ts'), 'this very file is found');
});

test('the unit, integration and journeys tiers hold no test that needs root, a second user or a Debian package', async (t) => {
  for (const tier of ['unit', 'integration', 'journeys'] as const) {
    // This file names the markers, so it is the one file not searched for them.
    const files = (await configFiles(`test/tiers/${tier}.config.js`)).filter((file) => file !== 'test/tiers/tiers.test.ts');
    for (const file of files) {
      const source = fs.readFileSync(path.join(repoRoot, file), 'utf8');
      const found = [...NEEDS_ROOT, ...NEEDS_PACKAGE].filter((marker) => marker.test(source));
      t.deepEqual(found, [], `${file} (${tier} tier) needs root or a package: move it, or the tests that do, under test/e2e/`);
    }
  }
});
