/**
 * The updater's errors. Each carries the stable `E_*` code that reaches an
 * entry's result, the socket and `arenactl`; the message names the target,
 * file or hub and what to do.
 */
import { ArenaError } from '../core/arena-error.js';

// The hubs' answers.

/** The hub could not be reached at all (DNS, connection, TLS, timeout). */
export class HubUnreachableError extends ArenaError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('E_HUB_UNREACHABLE', message, options);
    this.name = 'HubUnreachableError';
  }
}

/** The hub answered with a status or a body the updater cannot use. */
export class HubResponseError extends ArenaError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('E_HUB_RESPONSE', message, options);
    this.name = 'HubResponseError';
  }
}

/** The hub refused the request for want of a (valid) token. */
export class HubAuthError extends ArenaError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('E_HUB_AUTH', message, options);
    this.name = 'HubAuthError';
  }
}

/** A gated Hugging Face repository: its terms must be accepted on the hub by the token's owner. */
export class HubGatedError extends ArenaError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('E_HUB_GATED', message, options);
    this.name = 'HubGatedError';
  }
}

/** The hub has no such repository, revision, file, model or version (or hides a private one). */
export class HubNotFoundError extends ArenaError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('E_HUB_NOT_FOUND', message, options);
    this.name = 'HubNotFoundError';
  }
}

/** The hub kept answering 429 after the backoff, or asked for a longer wait than a check may take. */
export class RateLimitedError extends ArenaError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('E_RATE_LIMITED', message, options);
    this.name = 'RateLimitedError';
  }
}

// Downloads.

/** A download broke off (or stalled) and did not recover within its retries; the partial file is kept to resume. */
export class DownloadError extends ArenaError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('E_DOWNLOAD', message, options);
    this.name = 'DownloadError';
  }
}

/**
 * A download stalled or stayed below updates.minRate on every try; the entry
 * fails so that the others can run, and the partial file is kept to resume.
 */
export class DownloadSlowError extends ArenaError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('E_DOWNLOAD_SLOW', message, options);
    this.name = 'DownloadSlowError';
  }
}

/** A download's size or sha256 differs from the hub's: it is discarded and never installed. */
export class VerifyError extends ArenaError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('E_VERIFY', message, options);
    this.name = 'VerifyError';
  }
}

/** The library filesystem has no room for the download. */
export class NoSpaceError extends ArenaError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('E_NO_SPACE', message, options);
    this.name = 'NoSpaceError';
  }
}

/**
 * A download stopped on purpose: its update window closed or the daemon is
 * stopping. The partial file stays in staging and resumes next time.
 */
export class PausedError extends ArenaError {
  readonly bytesDone: number;

  constructor(message: string, bytesDone: number, options?: { cause?: unknown }) {
    super('E_PAUSED', message, options);
    this.name = 'PausedError';
    this.bytesDone = bytesDone;
  }
}

// The manifest and the targets a command names.

/** No manifest is configured (`updates.manifest` is empty), so there is nothing to check. */
export class NoManifestError extends ArenaError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('E_NO_MANIFEST', message, options);
    this.name = 'NoManifestError';
  }
}

/** The manifest file as a whole cannot be used: unreadable, not YAML, or without a `models` list. */
export class ManifestError extends ArenaError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('E_MANIFEST', message, options);
    this.name = 'ManifestError';
  }
}

/** A target named on the command line is not an entry of the manifest. */
export class NotTrackedError extends ArenaError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('E_NOT_FOUND', message, options);
    this.name = 'NotTrackedError';
  }
}

/** The target cannot be placed: no library folder of its category, or the path is not a regular file. */
export class TargetError extends ArenaError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('E_TARGET', message, options);
    this.name = 'TargetError';
  }
}

// Changes to the library.

/** A rollback found no kept version (or none matching `--to`). */
export class NoVersionError extends ArenaError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('E_NO_VERSION', message, options);
    this.name = 'NoVersionError';
  }
}

/** A filesystem step of an update or rollback (staging, link, rename, fsync, history) failed. */
export class UpdateIoError extends ArenaError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('E_UPDATE_IO', message, options);
    this.name = 'UpdateIoError';
  }
}

/** Another updater (the daemon, or another arenactl) holds the update lock. */
export class UpdaterLockedError extends ArenaError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('E_LOCKED', message, options);
    this.name = 'UpdaterLockedError';
  }
}
