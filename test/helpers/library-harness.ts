/**
 * Starts a real Library on temp folders for a test, records what it announces,
 * and stops it when the test ends, whether it passed or not.
 */
import type { ExecutionContext } from 'ava';
import { silentLogger } from '../../src/log/logger.js';
import { Library, type LibraryOptions } from '../../src/library/library.js';
import type { ModelFolder } from '../../src/library/model-folders.js';

export interface RunningLibrary {
  library: Library;
  /** `added loras/x.safetensors@123`, `removed ...`, `unavailable <dir>`, in order. */
  events: string[];
  /** A function, not a method: tests take it out of the object (`const { has } = ...`). */
  has: (category: string, name: string, size?: number) => boolean;
}

/** Fast timings for tests; each test may override them. */
export const TEST_TIMINGS = {
  poll: 'never',
  pollIntervalMs: 500,
  // Long enough that only the watch (or poll) under test can explain a change.
  rescanIntervalMs: 3_600_000,
  settleMs: 200,
  availabilityCheckMs: 150,
} as const;

export async function startLibrary(t: ExecutionContext, folders: ModelFolder[], overrides: Partial<LibraryOptions> = {}): Promise<RunningLibrary> {
  const library = new Library({ ...TEST_TIMINGS, logger: silentLogger, folders, ...overrides });
  const events: string[] = [];
  library.on('added', (entry) => events.push(`added ${entry.category}/${entry.name}@${entry.size}`));
  library.on('changed', (entry) => events.push(`changed ${entry.category}/${entry.name}@${entry.size}`));
  library.on('removed', (entry) => events.push(`removed ${entry.category}/${entry.name}`));
  library.on('unavailable', (folder) => events.push(`unavailable ${folder.dir}`));
  library.on('available', (folder) => events.push(`available ${folder.dir}`));
  t.teardown(() => library.stop());
  await library.start();
  return {
    library,
    events,
    has: (category, name, size) => {
      const entry = library.catalog.lookup(category, name);
      return entry !== undefined && entry.available && (size === undefined || entry.size === size);
    },
  };
}
