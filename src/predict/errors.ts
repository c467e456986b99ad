/** The errors of the predict module, each with its code and a message that says what to do. */
import { ArenaError } from '../core/arena-error.js';

/** The ComfyUI address given for queue watching is no http(s) URL. */
export class ComfyUrlError extends ArenaError {
  constructor(url: string, options?: { cause?: unknown }) {
    super(
      'E_COMFY_URL',
      `the ComfyUI address ${JSON.stringify(url)} is not an http(s) URL; set comfy.url (ARENA_COMFY_URL) to where ComfyUI listens, such as http://127.0.0.1:8188`,
      options,
    );
    this.name = 'ComfyUrlError';
  }
}

/** The usage history file exists but cannot be read. */
export class UsageHistoryError extends ArenaError {
  constructor(file: string, reason: string, options?: { cause?: unknown }) {
    super(
      'E_USAGE_HISTORY',
      `cannot read the usage history ${file} (${reason}); check that the state directory belongs to the daemon's user, or move the file aside to start a new history`,
      options,
    );
    this.name = 'UsageHistoryError';
  }
}
