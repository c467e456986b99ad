/** The model updater: manifest, hub clients, windows, verified downloads, atomic swaps, rollback. */
export { registerUpdateCommands } from './update-commands.js';
export { UpdateService, type StartOptions, type UpdateServiceOptions } from './update-service.js';
export { updateSettingsOf, type UpdateSettings } from './update-settings.js';
export { systemClock, type UpdateClock } from './update-clock.js';
export type { LibraryFolderRef, UpdateLibrary } from './locate-target.js';
export { parseManifest, readManifest, type Manifest, type ManifestEntry, type ManifestProblem, type ModelSource } from './manifest.js';
export type { HistoryRecord } from './update-history.js';
