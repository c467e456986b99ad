/**
 * Opens and closes the update windows on the clock: `onOpen` when a window
 * opens (or at start inside one), `onClose` when it closes. Overlapping
 * windows count as one that lasts until the last of them closes.
 */
import type { UpdateWindow } from '../core/update-window.js';
import type { UpdateClock } from './update-clock.js';
import { nextWindow, windowAt, type WindowSpan } from './window-calendar.js';

export interface WindowSchedulerOptions {
  readonly windows: readonly UpdateWindow[];
  readonly clock: UpdateClock;
  readonly onOpen: (span: WindowSpan) => void;
  readonly onClose: (span: WindowSpan) => void;
}

export class WindowScheduler {
  readonly #options: WindowSchedulerOptions;
  #current: WindowSpan | undefined;
  #next: WindowSpan | undefined;
  #cancel: (() => void) | undefined;
  #running = false;

  constructor(options: WindowSchedulerOptions) {
    this.#options = options;
  }

  /** The window open now. */
  get current(): WindowSpan | undefined {
    return this.#current;
  }

  /** The next window to open after the current one. */
  get next(): WindowSpan | undefined {
    return this.#next;
  }

  start(): void {
    this.#running = true;
    this.#arm();
  }

  stop(): void {
    this.#running = false;
    this.#cancel?.();
    this.#cancel = undefined;
  }

  #arm(): void {
    if (!this.#running) return;
    const { windows, clock } = this.#options;
    const now = clock.now();
    const open = windowAt(windows, now);
    if (open !== undefined) {
      const opening = this.#current === undefined;
      this.#current = open;
      this.#next = nextWindow(windows, open.closesAt);
      this.#cancel = clock.at(open.closesAt, () => this.#closeOrExtend());
      if (opening) this.#options.onOpen(open);
      return;
    }
    this.#next = nextWindow(windows, now);
    if (this.#next !== undefined) this.#cancel = clock.at(this.#next.opensAt, () => this.#arm());
  }

  /** At a window's end: another window may hold it open; otherwise it closes. */
  #closeOrExtend(): void {
    if (!this.#running) return;
    const closing = this.#current;
    const open = windowAt(this.#options.windows, this.#options.clock.now());
    if (open === undefined && closing !== undefined) {
      this.#current = undefined;
      this.#options.onClose(closing);
    }
    this.#arm();
  }
}
