/**
 * The one retry delay of the product: exponential, capped, with jitter.
 * Everything that tries again after a failure (a hub that answers 429, a
 * broken download, a ComfyUI that is down, a copy that failed) asks it how
 * long to wait, so that their waits grow the same way and boxes or clients
 * that failed together do not come back in step.
 */

export interface BackoffPolicy {
  /** The wait after the first failure. */
  readonly firstMs: number;
  /** No wait is longer. */
  readonly maxMs: number;
  /** Each wait is this many times the last (2 by default). */
  readonly factor?: number;
  /**
   * The share of each wait that is random, 0 to 1: 0.5 waits between half
   * and all of the exponential value. 0 is for tests and for a wait that a
   * server announced.
   */
  readonly jitter?: number;
}

/**
 * The wait before try `failures + 1`, after `failures` failures in a row
 * (1 for the first). `random` returns a number in [0, 1), as Math.random.
 */
export function backoffDelay(failures: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const factor = policy.factor ?? 2;
  const jitter = Math.min(1, Math.max(0, policy.jitter ?? 0.5));
  const exponential = Math.min(policy.maxMs, policy.firstMs * factor ** Math.max(0, failures - 1));
  return Math.round(exponential * (1 - jitter * random()));
}
