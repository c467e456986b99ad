/**
 * A download into staging that is hashed as it arrives, resumes with a Range
 * request after an interruption or a pause, and ends either as a complete,
 * fsynced file whose size and sha256 match the hub's, or as an error. A
 * mismatching file is deleted at once: it can never be installed. A
 * connection that stalls or falls below the minimum rate (download-pace.ts)
 * counts as an interruption, so a slow hub costs a bounded time and then
 * fails the one entry.
 */
import { createHash, type Hash } from 'node:crypto';
import fs from 'node:fs';
import fsp, { type FileHandle } from 'node:fs/promises';
import { ArenaError, messageOf } from '../core/arena-error.js';
import { backoffDelay, type BackoffPolicy } from '../core/backoff.js';
import { formatBytes } from '../core/byte-size.js';
import type { Logger } from '../log/logger.js';
import {
  DownloadError,
  DownloadSlowError,
  HubAuthError,
  HubGatedError,
  HubNotFoundError,
  HubResponseError,
  NoSpaceError,
  PausedError,
  RateLimitedError,
  UpdateIoError,
  VerifyError,
} from './errors.js';
import { describeFetchFailure } from '../core/fetch-failure.js';
import { discardBody } from './capped-body.js';
import { DownloadPace, type PaceLimits, type PaceVerdict } from './download-pace.js';
import type { HubHttp } from './hub-http.js';
import { describeRemoteFile, maxBytes, sizeMatches, type RemoteVersion } from './remote-version.js';
import type { Sleep } from './sleep.js';
import { discardStaged, readRecord, stagedFiles, writeRecord, type StagedFiles } from './staging.js';

export interface DownloadRequest {
  readonly http: HubHttp;
  readonly remote: RemoteVersion;
  readonly target: string;
  readonly arenaDir: string;
  /** The hub's reading of an error answer; must throw. */
  readonly onError: (response: Response) => Promise<never>;
  /** Aborting pauses the download: the partial file stays and resumes next time. */
  readonly signal: AbortSignal;
  readonly onStart?: (resumeFrom: number) => void;
  readonly onProgress?: (bytesDone: number) => void;
  readonly logger: Logger;
  readonly sleep: Sleep;
  /** Interruptions survived by resuming at once, before giving up until the next run. */
  readonly retries?: number;
  /** A connection that falls behind these (updates.stallTimeout, updates.minRate) counts as an interruption. */
  readonly pace: PaceLimits;
  readonly now?: () => number;
}

export interface Downloaded {
  readonly file: string;
  readonly files: StagedFiles;
  readonly bytes: number;
  readonly resumedFrom: number;
}

const DEFAULT_RETRIES = 3;
/** The waits before resuming: about 1, 2 and 4 s for the default three tries, jittered so that downloads cut together do not reconnect together. */
const RESUME_BACKOFF: BackoffPolicy = { firstMs: 1000, maxMs: 30_000 };

/** A connection cut for falling behind the pace; retried like any other break. */
class PaceFailure extends Error {
  constructor(
    readonly verdict: PaceVerdict,
    /** The host that was (or was not) sending: the hub, or its CDN. */
    readonly host: string,
  ) {
    super(describeVerdict(verdict));
    this.name = 'PaceFailure';
  }
}

function describeVerdict(verdict: PaceVerdict): string {
  const seconds = verdict.windowMs / 1000;
  if (verdict.kind === 'stalled') return `no data for ${seconds} s`;
  return `${formatBytes(Math.round(verdict.bytesPerSecond))}/s over the last ${seconds} s, below updates.minRate (${formatBytes(verdict.minBytesPerSecond)}/s)`;
}

/** Errors that another try cannot fix. */
function isFinal(error: unknown): boolean {
  return [
    PausedError,
    VerifyError,
    NoSpaceError,
    HubAuthError,
    HubGatedError,
    HubNotFoundError,
    HubResponseError,
    RateLimitedError,
    UpdateIoError,
  ].some((kind) => error instanceof kind);
}

export async function freeBytes(dir: string): Promise<number> {
  const stats = await fsp.statfs(dir);
  return stats.bavail * stats.bsize;
}

/** Hashes the bytes already on disk, so the hash of a resumed download covers the whole file. */
async function hashPrefix(file: string, bytes: number, hash: Hash): Promise<void> {
  if (bytes === 0) return;
  const stream = fs.createReadStream(file, { start: 0, end: bytes - 1, highWaterMark: 4 * 1024 * 1024 });
  for await (const chunk of stream as AsyncIterable<Buffer>) hash.update(chunk);
}

/** Start of a `Content-Range: bytes 100-199/200` answer. */
function rangeStart(header: string | null): number | undefined {
  const match = header === null ? null : /^bytes\s+(\d+)-/i.exec(header.trim());
  return match ? Number(match[1]) : undefined;
}

/** A write may be short (a disk that is nearly full): the rest is written until done or ENOSPC. */
async function writeAll(handle: FileHandle, chunk: Uint8Array, position: number): Promise<void> {
  let written = 0;
  while (written < chunk.length) {
    const { bytesWritten } = await handle.write(chunk, written, chunk.length - written, position + written);
    written += bytesWritten;
  }
}

class Transfer {
  offset = 0;
  hash = createHash('sha256');
  etag: string | undefined;
  /** Where the bytes come from: the hub, or the CDN it redirected to. */
  host = '';

  constructor(
    readonly request: DownloadRequest,
    readonly files: StagedFiles,
  ) {}

  async restart(reason: string): Promise<void> {
    if (this.offset > 0) this.request.logger.info(`${reason}; downloading from the start`, { target: this.request.target });
    this.offset = 0;
    this.hash = createHash('sha256');
    // A part file that is missing is as empty as a truncated one: the download starts over either way.
    await fsp.truncate(this.files.part, 0).catch(() => undefined);
  }

  /**
   * One HTTP exchange, from `offset` to the end; throws when it breaks off,
   * or (PaceFailure) when it falls behind the pace, waiting for the answer
   * included.
   */
  async once(): Promise<void> {
    const { request } = this;
    const pace = new DownloadPace(request.pace, performance.now());
    const cut = new AbortController();
    let verdict: PaceVerdict | undefined;
    const watch = setInterval(() => {
      if (verdict !== undefined) return;
      verdict = pace.verdict(performance.now());
      if (verdict !== undefined) cut.abort(new Error(describeVerdict(verdict)));
    }, pace.checkEveryMs);
    this.host = new URL(request.remote.downloadUrl).host;
    try {
      await this.#exchange(AbortSignal.any([request.signal, cut.signal]), pace);
    } catch (error) {
      // The cut shows as an abort; the hub's own errors (an error answer, bytes past the size) stay what they are.
      if (verdict !== undefined && !request.signal.aborted && !(error instanceof ArenaError)) throw new PaceFailure(verdict, this.host);
      throw error;
    } finally {
      clearInterval(watch);
    }
  }

  async #exchange(signal: AbortSignal, pace: DownloadPace): Promise<void> {
    const { request } = this;
    const headers: Record<string, string> = {};
    if (this.offset > 0) {
      headers.range = `bytes=${this.offset}-`;
      if (this.etag !== undefined && !this.etag.startsWith('W/')) headers['if-range'] = this.etag;
    }
    let response = await request.http.request(request.remote.downloadUrl, { headers, signal });
    if (response.status === 416 && this.offset > 0) {
      await discardBody(response);
      if (sizeMatches(this.offset, request.remote)) return;
      await this.restart('the server refused the resume range');
      response = await request.http.request(request.remote.downloadUrl, { signal });
    }
    if (!response.ok) await request.onError(response);
    if (response.url !== '') this.host = new URL(response.url).host;
    if (this.offset > 0 && (response.status !== 206 || rangeStart(response.headers.get('content-range')) !== this.offset)) {
      // A 200 to a Range request is the whole file: keep it, from the start.
      await this.restart('the server ignored the resume range');
    }
    const etag = response.headers.get('etag');
    if (etag !== null && etag !== this.etag) {
      this.etag = etag;
      await this.#writeRecord();
    }
    await this.#receive(response, pace);
  }

  async #writeRecord(): Promise<void> {
    const { remote, target } = this.request;
    await writeRecord(this.files, {
      target,
      sha256: remote.sha256,
      bytes: remote.bytes,
      exactSize: remote.exactSize,
      version: remote.version,
      label: remote.label,
      ...(this.etag === undefined ? {} : { etag: this.etag }),
      updatedAt: new Date(this.request.now?.() ?? Date.now()).toISOString(),
    });
  }

  async start(): Promise<void> {
    await this.#writeRecord();
  }

  async #receive(response: Response, pace: DownloadPace): Promise<void> {
    const { request } = this;
    const limit = maxBytes(request.remote);
    const handle = await fsp.open(this.files.part, this.offset === 0 ? 'w' : 'r+');
    try {
      if (response.body === null) throw new DownloadError(`the server sent no body for ${request.target}`);
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        pace.received(performance.now(), chunk.length);
        if (this.offset + chunk.length > limit) {
          throw new VerifyError(
            `the download of ${request.target} runs past the ${formatBytes(request.remote.bytes)} the hub publishes for ${request.remote.label}; discarded, nothing installed`,
          );
        }
        await writeAll(handle, chunk, this.offset);
        this.hash.update(chunk);
        this.offset += chunk.length;
        request.onProgress?.(this.offset);
      }
    } finally {
      // Some network filesystems refuse fsync; the bytes are written, and the size on disk is checked before any swap.
      await handle.sync().catch(() => undefined);
      await handle.close();
    }
  }
}

async function ensureRoom(request: DownloadRequest, dir: string, alreadyBytes: number): Promise<void> {
  const needed = maxBytes(request.remote) - alreadyBytes;
  const free = await freeBytes(dir);
  if (free < needed) {
    throw new NoSpaceError(
      `no room for ${request.target} (${request.remote.label}): it needs ${formatBytes(needed)} more and ${dir} has ${formatBytes(free)} free; free space on the library disk, or lower keep: in the manifest`,
    );
  }
}

/** Downloads (or resumes) the remote version into staging and verifies it. */
export async function downloadVerified(request: DownloadRequest): Promise<Downloaded> {
  const { remote, target, logger } = request;
  const files = stagedFiles(request.arenaDir, remote.sha256, target);
  try {
    await fsp.mkdir(files.dir, { recursive: true });
  } catch (error) {
    throw new UpdateIoError(`cannot create the staging folder ${files.dir}: ${messageOf(error)}`, { cause: error });
  }
  const transfer = new Transfer(request, files);
  const record = await readRecord(files);
  const partSize = await fsp.stat(files.part).then(
    (stats) => stats.size,
    () => 0,
  );
  if (record?.sha256 === remote.sha256 && partSize > 0 && partSize <= maxBytes(remote)) {
    transfer.offset = partSize;
    if (record.etag !== undefined) transfer.etag = record.etag;
    await hashPrefix(files.part, partSize, transfer.hash);
  } else if (partSize > 0) {
    await fsp.truncate(files.part, 0);
  }
  const resumedFrom = transfer.offset;
  await ensureRoom(request, files.dir, resumedFrom);
  await transfer.start();
  request.onStart?.(resumedFrom);
  logger.info(resumedFrom > 0 ? 'resuming the download' : 'downloading', {
    target,
    version: remote.label,
    bytes: remote.bytes,
    ...(resumedFrom > 0 ? { from: resumedFrom } : {}),
  });

  const retries = request.retries ?? DEFAULT_RETRIES;
  for (let attempt = 0; ; attempt += 1) {
    try {
      await transfer.once();
      break;
    } catch (error) {
      if (request.signal.aborted) {
        throw new PausedError(
          `the download of ${target} is paused at ${formatBytes(transfer.offset)} of ${formatBytes(remote.bytes)}; it resumes next time`,
          transfer.offset,
          {
            cause: error,
          },
        );
      }
      if ((error as NodeJS.ErrnoException).code === 'ENOSPC') {
        await discardStaged(files);
        throw new NoSpaceError(`the library disk filled up while downloading ${target}; the partial file was removed`, { cause: error });
      }
      if (error instanceof VerifyError) await discardStaged(files);
      if (isFinal(error)) throw error;
      const reason = error instanceof PaceFailure ? error.message : describeFetchFailure(error);
      if (attempt >= retries && error instanceof PaceFailure) {
        throw new DownloadSlowError(
          `${request.http.hub} sent ${describeRemoteFile(remote)} (for ${target}) too slowly from ${error.host}: ${reason}; gave up after ${attempt + 1} tries at ${formatBytes(transfer.offset)} of ${formatBytes(remote.bytes)}, which are kept for the next run to resume`,
        );
      }
      if (attempt >= retries) {
        throw new DownloadError(
          `the download of ${target} broke off at ${formatBytes(transfer.offset)} of ${formatBytes(remote.bytes)} (${reason}) ${attempt + 1} times; it resumes at the next run`,
          { cause: error },
        );
      }
      logger.warn(error instanceof PaceFailure ? 'the download fell behind; reconnecting to resume' : 'the download broke off; resuming', {
        target,
        at: transfer.offset,
        reason,
        attempt: attempt + 1,
      });
      // An abort ends the wait early and is not an error here: the next try sees the aborted signal and reports the pause.
      await request.sleep(backoffDelay(attempt + 1, RESUME_BACKOFF), request.signal).catch(() => undefined);
    }
  }

  const sha256 = transfer.hash.digest('hex');
  // The bytes were hashed as they arrived; the file on disk must hold exactly those bytes.
  const onDisk = await fsp.stat(files.part).then((stats) => stats.size);
  if (onDisk !== transfer.offset || !sizeMatches(transfer.offset, remote) || sha256 !== remote.sha256) {
    await discardStaged(files);
    throw new VerifyError(
      `the download of ${target} (${remote.label}) does not match the hub: ${formatBytes(onDisk)} with sha256 ${sha256}, expected ${formatBytes(remote.bytes)} with sha256 ${remote.sha256}; it was discarded and nothing was installed`,
    );
  }
  return { file: files.part, files, bytes: transfer.offset, resumedFrom };
}
