import cliProgress from 'cli-progress';
import { formatBytes } from '../core/byte-size.js';
import type { ControlClient } from '../control/control-client.js';
import { readEvent } from '../control/contract/events.js';
import type { EventMessage } from '../control/protocol.js';
import type { EventInbox } from './event-inbox.js';
import type { Output } from './output.js';
import { formatSpan } from './wording.js';

/** The topics whose events end, or report on, a copy that `--wait` follows. */
export const FOLLOWED_TOPICS = ['prefetch', 'wanted'] as const;

/** How one followed model ended: copied, failed for good, or no longer wanted by the daemon. */
export interface Finished {
  readonly key: string;
  readonly status: 'done' | 'failed' | 'dropped';
  readonly bytes?: number;
  readonly durationMs?: number;
  readonly message?: string;
}

/** The progress line of one copy: ETA before the key, so a narrow terminal cuts the key rather than the numbers. */
const BAR_FORMAT = ' {bar} {percentage}% | {speed}/s | ETA {remaining} | {key}';

/**
 * Follows the copies until each ends: progress bars with speed and ETA on a
 * terminal, one line per finished copy otherwise. A model the daemon still
 * waits for (a file being written) is followed the same way, until it is
 * copied or the daemon drops it.
 */
export function followCopies(keys: ReadonlySet<string>, client: ControlClient, inbox: EventInbox, output: Output): Promise<Finished[]> {
  const finished = new Map<string, Finished>();
  const bars = output.isTerminal
    ? new cliProgress.MultiBar(
        { format: BAR_FORMAT, hideCursor: true, clearOnComplete: false, stopOnComplete: false },
        cliProgress.Presets.shades_classic,
      )
    : undefined;
  const bar = new Map<string, cliProgress.SingleBar>();
  const finish = (result: Finished) => finished.set(result.key, result);
  return new Promise((resolve) => {
    const settle = () => {
      if (finished.size < keys.size) return;
      bars?.stop();
      resolve([...keys].map((key) => finished.get(key)!));
    };
    const handle = (message: EventMessage) => {
      const event = readEvent(message);
      if (event === undefined || !('key' in event) || !keys.has(event.key) || finished.has(event.key)) return;
      const { key } = event;
      switch (event.event) {
        case 'prefetch.progress': {
          if (!bars) break;
          const payload = {
            key,
            speed: formatBytes(event.bytesPerSecond),
            // cli-progress has an {eta} of its own, a bare number of seconds: this one carries its unit.
            remaining: event.etaSeconds === null ? '?' : formatSpan(event.etaSeconds),
          };
          const existing = bar.get(key);
          if (existing) existing.update(event.bytesCopied, payload);
          else bar.set(key, bars.create(event.bytes, event.bytesCopied, payload));
          break;
        }
        case 'prefetch.done':
          finish({ key, status: 'done', bytes: event.bytes, durationMs: event.durationMs });
          bar.get(key)?.update(event.bytes);
          if (!bars && !output.json) output.line(`done     ${key}  ${formatBytes(event.bytes)} in ${formatSpan(event.durationMs / 1000)}`);
          break;
        case 'prefetch.failed':
          if (event.retry) {
            output.note(`retrying ${key}: ${event.message}`);
            break;
          }
          finish({ key, status: 'failed', message: event.message });
          output.note(`failed   ${key}: ${event.message}`);
          break;
        case 'wanted.dropped':
          finish({ key, status: 'dropped', message: event.reason });
          output.note(`dropped  ${key}: ${event.reason}`);
          break;
        case 'prefetch.queued':
        case 'prefetch.started':
        case 'cache.evicted':
        case 'wanted.added':
        case 'wanted.released':
          // A copy on its way, or another's eviction: nothing to show yet.
          break;
      }
      settle();
    };
    client.onClose(() => {
      for (const key of keys) if (!finished.has(key)) finish({ key, status: 'failed', message: 'the daemon went away' });
      settle();
    });
    inbox.attach(handle);
    settle();
  });
}
