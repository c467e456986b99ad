/** The updater's part of the configuration, as the daemon and a one-shot arenactl both hand it over. */
import type { ArenaConfig } from '../config/schema.js';

export interface UpdateSettings {
  /** The manifest file; '' for none. */
  readonly manifest: string;
  /** `updates.windows` as configured; '' for none (updates then run only on `update run`). */
  readonly windows: string;
  readonly hfEndpoint: string;
  readonly civitaiEndpoint: string;
  /** `updates.stallTimeout`, seconds: the longest a download may go without a byte, and the window its rate is measured over. */
  readonly stallTimeout: number;
  /** `updates.minRate`, bytes per second: the average a download must keep over that window; 0 watches for stalls only. */
  readonly minRate: number;
}

export function updateSettingsOf(config: ArenaConfig): UpdateSettings {
  const { manifest, windows, hfEndpoint, civitaiEndpoint, stallTimeout, minRate } = config.updates;
  return { manifest, windows, hfEndpoint, civitaiEndpoint, stallTimeout, minRate };
}
