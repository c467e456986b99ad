/**
 * The product's one lock: a file naming its holder (lock-record.ts), which
 * the daemon takes for its state and cache folders and the updater for a
 * library. It survives SIGKILL: a holder that no longer runs leaves a stale
 * file, taken over at once, so a restart right after a crash is never
 * refused.
 *
 * Taking it cannot let two processes win, even when both find the same
 * stale file:
 * - The file appears whole and at once: the record is written to a draft
 *   and link()ed into place, which fails if the file exists. A reader never
 *   sees it half-written (and so never judges a live lock stale).
 * - Only a file still running holders judge stale is removed, and only
 *   under a takeover guard named after its contents: a second lock, taken
 *   the same way. The guard's holder reads the file again and removes it
 *   only if it is still the very file judged stale; then everyone races to
 *   create it afresh, and link() lets one through. Without the guard, one
 *   starter could remove the lock another had just created in place of the
 *   stale one, and both would run.
 * - A starter killed while holding a guard leaves a stale guard, taken over
 *   by the same rule one level down.
 *
 * Why not proper-lockfile: it judges staleness by the lock's age (it must
 * be refreshed on a timer, and a crashed holder's lock stays for the stale
 * period, so a restart right after SIGKILL would wait), and it removes a
 * stale lock and retries just as the two locks this one replaces did. Why
 * not flock(): Node has no binding for it without a native module.
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';
import { LockContendedError, LockHeldError } from './errors.js';
import { holderRuns, ownRecord, parseRecord } from './lock-record.js';

export interface LockOptions {
  /** Which program takes it (`arenad`, `arenactl`): written in the file for the message another one gets. */
  readonly holder?: string;
  /** The command line of the programs that take this lock: a pid without a start time that runs anything else is stale (lock-record.ts). */
  readonly recognise?: RegExp;
}

/** Tries before the lock counts as contended: each one found a file that then vanished, or waited out another's takeover. */
const TRIES = 50;
/** How long to let another starter finish taking over a stale file: it reads, removes and creates a file, in milliseconds. */
const TAKEOVER_WAIT_MS = 10;
/** Guards of guards: each level needs a starter killed inside a takeover; beyond this something else is wrong. */
const MAX_GUARD_DEPTH = 3;

/** Reads a file's text; undefined when it is gone. An unreadable file reads as '' (no holder: stale). */
async function readText(file: string): Promise<string | undefined> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT' ? undefined : '';
  }
}

/** Creates `file` holding `text`, whole and at once; false when it exists. */
async function createWhole(file: string, text: string): Promise<boolean> {
  const draft = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  await fs.writeFile(draft, text);
  try {
    await fs.link(draft, file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    await fs.rm(draft, { force: true });
  }
}

/** Creates `file` for us, taking over a stale one; throws LockHeldError when a running holder has it. */
async function take(file: string, text: string, options: LockOptions, depth: number): Promise<void> {
  for (let attempt = 0; attempt < TRIES; attempt += 1) {
    if (await createWhole(file, text)) return;
    const found = await readText(file);
    // Gone since: its holder released it. Try again.
    if (found === undefined) continue;
    const holder = parseRecord(found);
    if (holder !== undefined && holderRuns(holder, options.recognise)) throw new LockHeldError(file, holder);
    await removeIfStill(file, found, text, depth);
  }
  throw new LockContendedError(file);
}

/** Removes `file` if it still holds `stale`, under the guard for that content (see the top of this file). */
async function removeIfStill(file: string, stale: string, text: string, depth: number): Promise<void> {
  if (depth >= MAX_GUARD_DEPTH) throw new LockContendedError(file);
  const guard = `${file}.takeover-${createHash('sha256').update(stale).digest('hex').slice(0, 16)}`;
  try {
    // Any running process holds a guard: it is held for milliseconds, by whichever program takes the lock.
    await take(guard, text, {}, depth + 1);
  } catch (error) {
    if (!(error instanceof LockHeldError)) throw error;
    // Another starter is taking this stale file over: let it, then look again.
    await delay(TAKEOVER_WAIT_MS);
    return;
  }
  try {
    if ((await readText(file)) === stale) await fs.rm(file, { force: true });
  } finally {
    await fs.rm(guard, { force: true });
  }
}

export class PidFileLock {
  readonly #file: string;
  /** What we wrote: release removes the file only while it still says this. */
  readonly #text: string;

  private constructor(file: string, text: string) {
    this.#file = file;
    this.#text = text;
  }

  /** Takes the lock, its folder existing; throws LockHeldError (E_LOCKED) naming a running holder. */
  static async acquire(file: string, options: LockOptions = {}): Promise<PidFileLock> {
    const text = `${JSON.stringify(ownRecord(options.holder, Date.now()))}\n`;
    await take(file, text, options, 0);
    return new PidFileLock(file, text);
  }

  /** Removes the file if it is still ours. */
  async release(): Promise<void> {
    if ((await readText(this.#file)) === this.#text) await fs.rm(this.#file, { force: true });
  }
}
