import cliProgress from 'cli-progress';
import { formatBytes } from '../core/byte-size.js';
import type { ControlClient } from '../control/control-client.js';
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
    ? new cliProgress.MultiBar({ format: BAR_FORMAT, hideCursor: true, clearOnComplete: false, stopOnComplete: false }, cliProgress.Presets.shades_classic)
    : undefined;
  const bar = new Map<string, cliProgress.SingleBar>();
  const finish = (result: Finished) => finished.set(result.key, result);
  return new Promise((resolve) => {
    const settle = () => {
      if (finished.size < keys.size) return;
      bars?.stop();
      resolve([...keys].map((key) => finished.get(key)!));
    };
    const handle = (event: EventMessage) => {
      const key = typeof event.key === 'string' ? event.key : '';
      if (!keys.has(key) || finished.has(key)) return;
      if (event.event === 'prefetch.progress' && bars) {
        const payload = {
          key,
          speed: formatBytes(Number(event.bytesPerSecond)),
          // cli-progress has an {eta} of its own, a bare number of seconds: this one carries its unit.
          remaining: typeof event.etaSeconds === 'number' ? formatSpan(event.etaSeconds) : '?',
        };
        const existing = bar.get(key);
        if (existing) existing.update(Number(event.bytesCopied), payload);
        else bar.set(key, bars.create(Number(event.bytes), Number(event.bytesCopied), payload));
      } else if (event.event === 'prefetch.done') {
        finish({ key, status: 'done', bytes: Number(event.bytes), durationMs: Number(event.durationMs) });
        bar.get(key)?.update(Number(event.bytes));
        if (!bars && !output.json) output.line(`done     ${key}  ${formatBytes(Number(event.bytes))} in ${formatSpan(Number(event.durationMs) / 1000)}`);
      } else if (event.event === 'prefetch.failed' && event.retry !== true) {
        finish({ key, status: 'failed', message: String(event.message) });
        output.note(`failed   ${key}: ${String(event.message)}`);
      } else if (event.event === 'prefetch.failed') {
        output.note(`retrying ${key}: ${String(event.message)}`);
      } else if (event.event === 'wanted.dropped') {
        finish({ key, status: 'dropped', message: String(event.reason) });
        output.note(`dropped  ${key}: ${String(event.reason)}`);
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
