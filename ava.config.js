/**
 * AVA's options, shared by every test tier (README, "The two commands"). With this file
 * `npx ava test/some/file.test.ts` runs any one test file; `npm run test:unit`,
 * `test:integration`, `test:journeys` and `test:e2e` pass `--config test/tiers/<tier>.config.js`,
 * which keeps these options and picks the tier's files.
 */

/** The tiers that have a folder of their own; every other test file is a unit test. */
export const TIER_FOLDERS = {
  integration: 'test/integration',
  journeys: 'test/journeys',
  e2e: 'test/e2e',
};

export const ALL_TEST_FILES = 'test/**/*.test.ts';

/** The globs of one tier's test files: unit is what no other tier's folder holds. */
export function tierFiles(tier) {
  if (tier === 'unit') return [ALL_TEST_FILES, ...Object.values(TIER_FOLDERS).map((folder) => `!${folder}/**`)];
  const folder = TIER_FOLDERS[tier];
  if (folder === undefined) throw new Error(`unknown test tier "${tier}": the tiers are unit, ${Object.keys(TIER_FOLDERS).join(', ')}`);
  return [`${folder}/**/*.test.ts`];
}

export default {
  files: [ALL_TEST_FILES],
  extensions: { ts: 'module' },
  nodeArguments: ['--import=tsx'],
  workerThreads: false,
  timeout: '2m',
};
