/**
 * The updater's waits between tries (a hub's rate limit, a broken download),
 * injected so that tests count them instead of waiting.
 */
import { setTimeout as delay } from 'node:timers/promises';

export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

/**
 * Node's timer, ended early by `signal` with the signal's own reason (a
 * PausedError that says the window closed) rather than a bare AbortError,
 * so that whoever catches it can tell why.
 */
export const sleep: Sleep = async (ms, signal) => {
  try {
    await delay(ms, undefined, signal === undefined ? undefined : { signal });
  } catch (error) {
    throw signal?.aborted ? signal.reason : error;
  }
};
