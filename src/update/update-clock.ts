import schedule from 'node-schedule';

/**
 * The time as the update windows see it, injected so that tests drive the
 * windows with fake timers while downloads run on real I/O.
 */
export interface UpdateClock {
  now(): number;
  /** Calls `action` at `time` (epoch ms), or soon when that is past; returns the cancel function. */
  at(time: number, action: () => void): () => void;
}

/** The real clock: node-schedule fires at a date, however far off (beyond setTimeout's 24.8 days too). */
export const systemClock: UpdateClock = {
  now: () => Date.now(),
  at(time, action) {
    const job = schedule.scheduleJob(new Date(time), action);
    if (job !== null) return () => job.cancel();
    // node-schedule refuses a date in the past: it is due now.
    const immediate = setImmediate(action);
    return () => clearImmediate(immediate);
  },
};
