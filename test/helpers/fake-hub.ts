/**
 * A stand-in for Hugging Face and CivitAI on real sockets, speaking the
 * endpoints and headers the two hubs document:
 * - the hub (`http://127.0.0.1:<port>`): HF's revision API and `resolve`
 *   (HEAD and GET, answering 302 with `X-Repo-Commit`, `X-Linked-Etag`,
 *   `X-Linked-Size`, errors as `X-Error-Code`), and CivitAI's models,
 *   model-versions, by-hash and download (a 307);
 * - the "CDN" (`http://localhost:<other port>`, another host): the bytes,
 *   with Range and ETag.
 * Tests publish files, then bend the servers: 429s, a connection cut
 * halfway, a stall, a body that drips or pauses, a Range ignored, bytes that
 * do not match their hash, an API answer without end, and errors (and
 * version names) that echo the request's Authorization header back.
 * Every request is logged with its host and Authorization header.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ExecutionContext } from 'ava';

export interface LoggedRequest {
  readonly server: 'hub' | 'cdn';
  readonly method: string;
  readonly path: string;
  readonly host: string;
  readonly authorization?: string;
  readonly range?: string;
}

interface HfRepo {
  /** Branch or tag → commit. */
  readonly refs: Map<string, string>;
  /** Commit → file path → sha256 of its bytes. */
  readonly commits: Map<string, Map<string, string>>;
  gated: boolean;
  private: boolean;
}

export interface CivitaiFileFixture {
  readonly name: string;
  readonly bytes: Buffer;
  readonly primary?: boolean;
  readonly type?: string;
}

interface CivitaiVersion {
  readonly id: number;
  readonly modelId: number;
  readonly name: string;
  readonly baseModel: string;
  readonly files: Array<{ name: string; sha256: string; size: number; primary?: boolean; type: string }>;
  readonly requiresToken: boolean;
}

interface CivitaiModel {
  readonly id: number;
  readonly name: string;
  /** Newest first, as CivitAI lists them. */
  readonly versions: CivitaiVersion[];
}

type Rule = { match: (request: LoggedRequest) => boolean; remaining: number };

export interface DripOptions {
  /** Only the download of this content (its sha256); any download when left out. */
  readonly sha256?: string;
  /** Sent at full speed first. */
  readonly afterBytes?: number;
  /** Then this many bytes at a time... */
  readonly bytes?: number;
  /** ...every this many milliseconds, until the body is done or the client goes away. */
  readonly everyMs: number;
  readonly times?: number;
}

export interface PauseOptions {
  readonly sha256?: string;
  /** Sent at full speed, then nothing for `pauseMs`, then the rest at full speed. */
  readonly afterBytes: number;
  readonly pauseMs: number;
  readonly times?: number;
}

/** What an endless API answer sent before the client went away. */
export interface EndlessAnswer {
  /** Bytes of the body handed to the socket. */
  bytesSent: number;
  /** Resolves once the client closed the connection (or the safety limit was reached). */
  readonly done: Promise<void>;
}

interface EndlessRule {
  readonly answer: EndlessAnswer;
  readonly status: number;
  readonly contentLength?: number;
  readonly finish: () => void;
}

/** An endless answer stops here all the same, so that a client without a cap cannot take the test machine down. */
const ENDLESS_SAFETY_LIMIT = 1024 * 1024 * 1024;

export function sha256Hex(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Without a host the server listens on every address. */
function listen(server: Server, host?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    const ready = () => resolve((server.address() as AddressInfo).port);
    if (host === undefined) server.listen(0, ready);
    else server.listen(0, host, ready);
  });
}

function send(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)), ...headers });
  response.end(text);
}

export class FakeHub {
  readonly requests: LoggedRequest[] = [];
  /** The tokens the hub accepts for gated, private and early-access content. */
  readonly tokens = { hf: 'hf_fakeHubToken0123456789', civitai: 'civitai_fakeHubToken0123456789' };
  /** Content by sha256: what the CDN serves. */
  readonly #blobs = new Map<string, Buffer>();
  readonly #repos = new Map<string, HfRepo>();
  readonly #models = new Map<number, CivitaiModel>();
  readonly #versions = new Map<number, CivitaiVersion>();
  readonly #rateLimits: Array<Rule & { headers: Record<string, string> }> = [];
  readonly #cuts: Array<Rule & { afterBytes: number }> = [];
  readonly #stalls: Array<Rule & { afterBytes: number }> = [];
  readonly #drips: Array<Rule & Required<Omit<DripOptions, 'sha256' | 'times'>>> = [];
  readonly #pauses: Array<Rule & { afterBytes: number; pauseMs: number }> = [];
  readonly #endless: Array<Rule & EndlessRule> = [];
  readonly #refusals: Array<Rule & { status: number }> = [];
  readonly #stalled = new Set<ServerResponse>();
  #nextVersionId = 1000;
  /** The CDN answers a Range request with the whole file (200). */
  ignoreRange = false;
  /**
   * The hub repeats the Authorization header of each request in what it
   * answers: in error messages (HF's X-Error-Message, CivitAI's `error`)
   * and in CivitAI's version names.
   */
  echoAuthorization = false;
  hubPort = 0;
  cdnPort = 0;
  #hub: Server | undefined;
  #cdn: Server | undefined;

  static async start(t: ExecutionContext): Promise<FakeHub> {
    const hub = new FakeHub();
    hub.#hub = createServer((request, response) => hub.#serveHub(request, response));
    hub.#cdn = createServer((request, response) => hub.#serveCdn(request, response));
    hub.hubPort = await listen(hub.#hub, '127.0.0.1');
    // No host: the CDN listens on every address, so `localhost` reaches it whether it resolves to ::1 or 127.0.0.1.
    hub.cdnPort = await listen(hub.#cdn);
    t.teardown(() => hub.stop());
    return hub;
  }

  /** The hub's endpoint, for updates.hfEndpoint and updates.civitaiEndpoint. */
  get endpoint(): string {
    return `http://127.0.0.1:${this.hubPort}`;
  }

  async stop(): Promise<void> {
    for (const response of this.#stalled) response.destroy();
    for (const server of [this.#hub, this.#cdn]) {
      server?.closeAllConnections();
      await new Promise<void>((resolve) => (server?.listening ? server.close(() => resolve()) : resolve()));
    }
  }

  // --- Hugging Face ---------------------------------------------------------

  /** Publishes a new commit of `repo` on `branch` with the file set to `bytes`; returns the commit. */
  publishHf(repo: string, file: string, bytes: Buffer, branch = 'main'): string {
    const state: HfRepo = this.#repos.get(repo) ?? { refs: new Map(), commits: new Map(), gated: false, private: false };
    this.#repos.set(repo, state);
    const previous = state.refs.get(branch);
    const files = new Map<string, string>(previous === undefined ? [] : state.commits.get(previous));
    const sha256 = sha256Hex(bytes);
    this.#blobs.set(sha256, bytes);
    files.set(file, sha256);
    const commit = randomBytes(20).toString('hex');
    state.commits.set(commit, files);
    state.refs.set(branch, commit);
    return commit;
  }

  /** Gated: files listed, bytes only with an accepted token. Private: nothing without a token. */
  restrictHf(repo: string, restriction: 'gated' | 'private'): void {
    const state = this.#repos.get(repo)!;
    if (restriction === 'gated') state.gated = true;
    else state.private = true;
  }

  // --- CivitAI --------------------------------------------------------------

  /** Publishes a new version (the newest) of a model; returns its version id. */
  publishCivitai(modelId: number, options: { name?: string; baseModel?: string; files: CivitaiFileFixture[]; requiresToken?: boolean }): number {
    const model = this.#models.get(modelId) ?? { id: modelId, name: `Model ${modelId}`, versions: [] };
    this.#models.set(modelId, model);
    const id = this.#nextVersionId++;
    const version: CivitaiVersion = {
      id,
      modelId,
      name: options.name ?? `v${model.versions.length + 1}`,
      baseModel: options.baseModel ?? 'SDXL 1.0',
      requiresToken: options.requiresToken ?? false,
      files: options.files.map((file) => {
        const sha256 = sha256Hex(file.bytes);
        this.#blobs.set(sha256, file.bytes);
        return {
          name: file.name,
          sha256,
          size: file.bytes.length,
          type: file.type ?? 'Model',
          ...(file.primary === undefined ? {} : { primary: file.primary }),
        };
      }),
    };
    model.versions.unshift(version);
    this.#versions.set(id, version);
    return id;
  }

  // --- Faults ---------------------------------------------------------------

  /** The next `times` requests whose path starts with `prefix` answer 429 with these headers. */
  rateLimit(prefix: string, times: number, headers: Record<string, string> = {}): void {
    this.#rateLimits.push({ match: (request) => request.path.startsWith(prefix), remaining: times, headers });
  }

  /** The next `times` CDN downloads send `afterBytes` bytes, then the connection drops. */
  cutDownloads(afterBytes: number, times = 1): void {
    this.#cuts.push({ match: (request) => request.method === 'GET', remaining: times, afterBytes });
  }

  /** The next CDN download sends `afterBytes` bytes, then waits until the client goes away. */
  stallDownloads(afterBytes: number, times = 1): void {
    this.#stalls.push({ match: (request) => request.method === 'GET', remaining: times, afterBytes });
  }

  /** The next `times` CDN downloads (of one file, or any) drip: `bytes` every `everyMs` ms after `afterBytes` at full speed. */
  dripDownloads(options: DripOptions): void {
    this.#drips.push({
      match: this.#downloadOf(options.sha256),
      remaining: options.times ?? 1,
      afterBytes: options.afterBytes ?? 0,
      bytes: options.bytes ?? 1,
      everyMs: options.everyMs,
    });
  }

  /** The next `times` CDN downloads send `afterBytes`, go quiet for `pauseMs`, then send the rest. */
  pauseDownloads(options: PauseOptions): void {
    this.#pauses.push({
      match: this.#downloadOf(options.sha256),
      remaining: options.times ?? 1,
      afterBytes: options.afterBytes,
      pauseMs: options.pauseMs,
    });
  }

  /**
   * The next request whose path starts with `prefix` answers `status` (200
   * by default) with a JSON document that never ends (up to a safety limit
   * of 1 GiB), sent as fast as the client reads it; with `contentLength`,
   * its header announces that size. The returned record counts the bytes sent.
   */
  endlessJson(prefix: string, options: { contentLength?: number; status?: number } = {}): EndlessAnswer {
    let finish = () => {};
    const answer: EndlessAnswer = { bytesSent: 0, done: new Promise<void>((resolve) => (finish = resolve)) };
    this.#endless.push({
      match: (request) => request.path.startsWith(prefix),
      remaining: 1,
      answer,
      finish,
      status: options.status ?? 200,
      ...(options.contentLength === undefined ? {} : { contentLength: options.contentLength }),
    });
    return answer;
  }

  /** The next `times` hub requests whose path starts with `prefix` answer `status` (401 by default), with no X-Error-Code. */
  refuse(prefix: string, times = 1, status = 401): void {
    this.#refusals.push({ match: (request) => request.path.startsWith(prefix), remaining: times, status });
  }

  /** The CDN serves other bytes than the ones published under this sha256 (same size). */
  corruptBlob(sha256: string): void {
    const bytes = Buffer.from(this.#blobs.get(sha256)!);
    const middle = bytes.length >> 1;
    bytes[middle] = bytes[middle]! ^ 0xff;
    this.#blobs.set(sha256, bytes);
  }

  hubRequests(prefix = ''): LoggedRequest[] {
    return this.requests.filter((request) => request.server === 'hub' && request.path.startsWith(prefix));
  }

  cdnRequests(): LoggedRequest[] {
    return this.requests.filter((request) => request.server === 'cdn');
  }

  #log(server: 'hub' | 'cdn', request: IncomingMessage): LoggedRequest {
    const entry: LoggedRequest = {
      server,
      method: request.method ?? 'GET',
      path: request.url ?? '/',
      host: request.headers.host ?? '',
      ...(request.headers.authorization === undefined ? {} : { authorization: request.headers.authorization }),
      ...(request.headers.range === undefined ? {} : { range: request.headers.range }),
    };
    this.requests.push(entry);
    return entry;
  }

  #downloadOf(sha256: string | undefined): (request: LoggedRequest) => boolean {
    return (request) => request.method === 'GET' && (sha256 === undefined || request.path.startsWith(`/blobs/${sha256}`));
  }

  /** What a hub that echoes credentials says about the request's Authorization header. */
  #echo(logged: LoggedRequest): string {
    const header = logged.authorization ?? '(none)';
    const token = header.replace(/^Bearer\s+/i, '');
    return `invalid credentials in "Authorization: ${header}"; the token ${token} has expired`;
  }

  #take<T extends Rule>(rules: T[], request: LoggedRequest): T | undefined {
    const rule = rules.find((candidate) => candidate.remaining > 0 && candidate.match(request));
    if (rule !== undefined) rule.remaining -= 1;
    return rule;
  }

  #serveHub(request: IncomingMessage, response: ServerResponse): void {
    const logged = this.#log('hub', request);
    const limited = this.#take(this.#rateLimits, logged);
    if (limited !== undefined) {
      send(response, 429, { error: 'Too many requests' }, limited.headers);
      return;
    }
    const refusal = this.#take(this.#refusals, logged);
    if (refusal !== undefined) {
      const message = this.echoAuthorization ? this.#echo(logged) : 'invalid credentials';
      send(response, refusal.status, { error: message }, { 'x-error-message': message });
      return;
    }
    const endless = this.#take(this.#endless, logged);
    if (endless !== undefined) {
      this.#sendEndless(response, endless);
      return;
    }
    const url = new URL(logged.path, this.endpoint);
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    if (parts[0] === 'api' && parts[1] === 'models' && parts[4] === 'revision') {
      this.#hfRevision(`${parts[2]}/${parts[3]}`, parts.slice(5).join('/'), logged, response);
    } else if (parts[2] === 'resolve') {
      this.#hfResolve(`${parts[0]}/${parts[1]}`, parts[3]!, parts.slice(4).join('/'), logged, response);
    } else if (parts[0] === 'api' && parts[1] === 'v1') {
      this.#civitaiApi(parts.slice(2), logged, response);
    } else if (parts[0] === 'api' && parts[1] === 'download' && parts[2] === 'models') {
      this.#civitaiDownload(Number(parts[3]), logged, response);
    } else {
      send(response, 404, { error: 'no such route' });
    }
  }

  #hfAuthorized(logged: LoggedRequest): boolean {
    return logged.authorization === `Bearer ${this.tokens.hf}`;
  }

  #hfRepo(repo: string, logged: LoggedRequest, response: ServerResponse): HfRepo | undefined {
    const state = this.#repos.get(repo);
    if (state === undefined || (state.private && !this.#hfAuthorized(logged))) {
      send(response, 401, { error: 'Repository Not Found' }, { 'x-error-code': 'RepoNotFound', 'x-error-message': 'Repository not found' });
      return undefined;
    }
    return state;
  }

  #hfCommit(state: HfRepo, revision: string, response: ServerResponse): string | undefined {
    const commit = state.refs.get(revision) ?? (state.commits.has(revision) ? revision : undefined);
    if (commit === undefined) send(response, 404, { error: 'Invalid rev id' }, { 'x-error-code': 'RevisionNotFound' });
    return commit;
  }

  #hfRevision(repo: string, revision: string, logged: LoggedRequest, response: ServerResponse): void {
    const state = this.#hfRepo(repo, logged, response);
    if (state === undefined) return;
    const commit = this.#hfCommit(state, revision, response);
    if (commit === undefined) return;
    const siblings = [...state.commits.get(commit)!].map(([rfilename, sha256]) => {
      const size = this.#blobs.get(sha256)!.length;
      return { rfilename, size, blobId: sha256.slice(0, 40), lfs: { sha256, size, pointerSize: 134 } };
    });
    send(response, 200, { id: repo, sha: commit, siblings });
  }

  #hfResolve(repo: string, revision: string, file: string, logged: LoggedRequest, response: ServerResponse): void {
    const state = this.#hfRepo(repo, logged, response);
    if (state === undefined) return;
    if (state.gated && !this.#hfAuthorized(logged)) {
      send(response, 403, { error: 'Access to this repository is restricted' }, { 'x-error-code': 'GatedRepo', 'x-error-message': 'gated' });
      return;
    }
    const commit = this.#hfCommit(state, revision, response);
    if (commit === undefined) return;
    const sha256 = state.commits.get(commit)!.get(file);
    if (sha256 === undefined) {
      send(response, 404, { error: 'Entry not found' }, { 'x-error-code': 'EntryNotFound' });
      return;
    }
    response.writeHead(302, {
      location: `http://localhost:${this.cdnPort}/blobs/${sha256}?X-Amz-Signature=${randomBytes(8).toString('hex')}`,
      'x-repo-commit': commit,
      'x-linked-etag': `"${sha256}"`,
      'x-linked-size': String(this.#blobs.get(sha256)!.length),
      'content-length': '0',
    });
    response.end();
  }

  #civitaiVersionBody(version: CivitaiVersion, withModel: boolean, logged: LoggedRequest): Record<string, unknown> {
    return {
      id: version.id,
      ...(withModel ? { modelId: version.modelId, model: { name: this.#models.get(version.modelId)!.name, type: 'Checkpoint' } } : {}),
      name: this.echoAuthorization ? `${version.name} (${this.#echo(logged)})` : version.name,
      baseModel: version.baseModel,
      downloadUrl: `${this.endpoint}/api/download/models/${version.id}`,
      files: version.files.map((file) => ({
        name: file.name,
        sizeKB: file.size / 1024,
        type: file.type,
        ...(file.primary === undefined ? {} : { primary: file.primary }),
        hashes: { AutoV2: file.sha256.slice(0, 10).toUpperCase(), SHA256: file.sha256.toUpperCase() },
        downloadUrl: `${this.endpoint}/api/download/models/${version.id}?type=${file.type}&file=${encodeURIComponent(file.name)}`,
      })),
    };
  }

  #civitaiApi(parts: string[], logged: LoggedRequest, response: ServerResponse): void {
    if (parts[0] === 'models' && parts.length === 2) {
      const model = this.#models.get(Number(parts[1]));
      if (model === undefined) send(response, 404, { error: `No model with id ${parts[1]}` });
      else
        send(response, 200, {
          id: model.id,
          name: model.name,
          type: 'Checkpoint',
          modelVersions: model.versions.map((version) => this.#civitaiVersionBody(version, false, logged)),
        });
      return;
    }
    if (parts[0] === 'model-versions' && parts[1] === 'by-hash') {
      const hash = parts[2]!.toLowerCase();
      const version = [...this.#versions.values()].find((candidate) =>
        candidate.files.some((file) => file.sha256 === hash || file.sha256.startsWith(hash)),
      );
      if (version === undefined) send(response, 404, { error: 'Model not found' });
      else send(response, 200, this.#civitaiVersionBody(version, true, logged));
      return;
    }
    if (parts[0] === 'model-versions' && parts.length === 2) {
      const version = this.#versions.get(Number(parts[1]));
      if (version === undefined) send(response, 404, { error: `No version with id ${parts[1]}` });
      else send(response, 200, this.#civitaiVersionBody(version, true, logged));
      return;
    }
    send(response, 404, { error: 'no such route' });
  }

  #civitaiDownload(versionId: number, logged: LoggedRequest, response: ServerResponse): void {
    const version = this.#versions.get(versionId);
    if (version === undefined) {
      send(response, 404, { error: 'File not found' });
      return;
    }
    if (version.requiresToken && logged.authorization !== `Bearer ${this.tokens.civitai}`) {
      send(response, 401, {
        error: this.echoAuthorization ? this.#echo(logged) : 'Unauthorized',
        message: 'The creator of this asset requires you to be logged in to download it',
      });
      return;
    }
    const name = new URL(logged.path, this.endpoint).searchParams.get('file');
    const file = version.files.find((candidate) => candidate.name === name) ?? version.files[0]!;
    response.writeHead(307, {
      location: `http://localhost:${this.cdnPort}/blobs/${file.sha256}?signed=${randomBytes(8).toString('hex')}`,
      'content-length': '0',
    });
    response.end();
  }

  #serveCdn(request: IncomingMessage, response: ServerResponse): void {
    const logged = this.#log('cdn', request);
    const sha256 = new URL(logged.path, `http://localhost:${this.cdnPort}`).pathname.split('/')[2] ?? '';
    const bytes = this.#blobs.get(sha256);
    if (bytes === undefined) {
      send(response, 404, { error: 'NoSuchKey' });
      return;
    }
    const range = /^bytes=(\d+)-$/.exec(logged.range ?? '');
    const start = range && !this.ignoreRange ? Number(range[1]) : 0;
    if (start > bytes.length) {
      response.writeHead(416, { 'content-range': `bytes */${bytes.length}` });
      response.end();
      return;
    }
    const body = bytes.subarray(start);
    response.writeHead(start > 0 ? 206 : 200, {
      'content-length': String(body.length),
      'content-type': 'application/octet-stream',
      'accept-ranges': 'bytes',
      etag: `"${sha256}"`,
      ...(start > 0 ? { 'content-range': `bytes ${start}-${bytes.length - 1}/${bytes.length}` } : {}),
    });
    if (logged.method === 'HEAD') {
      response.end();
      return;
    }
    const cut = this.#take(this.#cuts, logged);
    if (cut !== undefined) {
      // A graceful close: the client gets every byte sent, then an end before Content-Length.
      response.write(body.subarray(0, cut.afterBytes), () => response.socket?.end());
      return;
    }
    const stall = this.#take(this.#stalls, logged);
    if (stall !== undefined) {
      this.#stalled.add(response);
      response.on('close', () => this.#stalled.delete(response));
      response.write(body.subarray(0, stall.afterBytes));
      return;
    }
    const drip = this.#take(this.#drips, logged);
    if (drip !== undefined) {
      this.#sendPaced(response, body, drip.afterBytes, [drip.bytes, drip.everyMs]);
      return;
    }
    const pause = this.#take(this.#pauses, logged);
    if (pause !== undefined) {
      this.#sendPaced(response, body, pause.afterBytes, [body.length, pause.pauseMs]);
      return;
    }
    response.end(body);
  }

  /** `afterBytes` at once, then `step[0]` bytes each `step[1]` ms, until the body is sent or the client leaves. */
  #sendPaced(response: ServerResponse, body: Buffer, afterBytes: number, [bytes, everyMs]: readonly [number, number]): void {
    this.#stalled.add(response);
    let sent = Math.min(afterBytes, body.length);
    response.write(body.subarray(0, sent));
    const timer = setInterval(() => {
      if (response.destroyed) return;
      const next = Math.min(sent + bytes, body.length);
      response.write(body.subarray(sent, next));
      sent = next;
      if (sent >= body.length) {
        clearInterval(timer);
        response.end();
      }
    }, everyMs);
    response.on('close', () => {
      clearInterval(timer);
      this.#stalled.delete(response);
    });
  }

  /** A revision answer that opens a list and never closes it, written as fast as the client takes it. */
  #sendEndless(response: ServerResponse, rule: EndlessRule): void {
    const { answer } = rule;
    response.writeHead(rule.status, {
      'content-type': 'application/json',
      ...(rule.contentLength === undefined ? {} : { 'content-length': String(rule.contentLength) }),
    });
    const filler = Buffer.from(`${JSON.stringify({ rfilename: 'padding.bin', size: 1, lfs: { sha256: '0'.repeat(64), size: 1 } })},`.repeat(1000));
    let open = true;
    const end = () => {
      open = false;
      rule.finish();
    };
    response.on('close', end);
    const pump = () => {
      while (open && answer.bytesSent < ENDLESS_SAFETY_LIMIT) {
        const chunk = answer.bytesSent === 0 ? Buffer.concat([Buffer.from('{"error":"busy","sha":"0123456789abcdef","siblings":['), filler]) : filler;
        answer.bytesSent += chunk.length;
        if (!response.write(chunk)) {
          response.once('drain', pump);
          return;
        }
      }
      if (open) {
        response.destroy();
        end();
      }
    };
    pump();
  }
}
