/**
 * Hugging Face: the revision API names the commit and each file's LFS
 * sha256 and size; `resolve` serves the bytes through a redirect to a CDN.
 * Errors come with an `X-Error-Code` header, which decides the message.
 */
import { z } from 'zod';
import { HubAuthError, HubGatedError, HubNotFoundError, HubResponseError } from './errors.js';
import { shownUrl, type HubHttp } from './hub-http.js';
import type { HfSource } from './manifest.js';
import type { RemoteVersion } from './remote-version.js';
import { discardBody } from './capped-body.js';

const revisionSchema = z.object({
  sha: z.string().min(7),
  siblings: z.array(
    z.object({
      rfilename: z.string(),
      size: z.number().nonnegative().optional(),
      lfs: z.object({ sha256: z.string().regex(/^[0-9a-f]{64}$/i), size: z.number().nonnegative() }).optional(),
    }),
  ),
});

const SHA256 = /^[0-9a-f]{64}$/i;

function encodePath(text: string): string {
  return text.split('/').map(encodeURIComponent).join('/');
}

/** `X-Linked-Etag` (else `ETag`) without `W/` and quotes: the sha256 for an LFS file. */
export function linkedEtag(headers: Headers): string | undefined {
  const raw = headers.get('x-linked-etag') ?? headers.get('etag');
  if (raw === null) return undefined;
  return raw.replace(/^W\//, '').replace(/^"|"$/g, '');
}

export class HfClient {
  readonly http: HubHttp;

  constructor(http: HubHttp) {
    this.http = http;
  }

  /** The file as it is at the source's revision, pinned to that revision's commit. */
  async resolve(source: HfSource, signal?: AbortSignal): Promise<RemoteVersion> {
    const url = this.http.url(`/api/models/${encodePath(source.repo)}/revision/${encodeURIComponent(source.revision)}?blobs=true`);
    const body = await this.http.json(url, (response) => this.fail(response, source), signal);
    const parsed = revisionSchema.safeParse(body);
    if (!parsed.success) throw new HubResponseError(`Hugging Face answered ${shownUrl(url)} with an unexpected body (no commit sha or siblings)`);
    const { sha: commit, siblings } = parsed.data;
    const sibling = siblings.find((candidate) => candidate.rfilename === source.file);
    if (sibling === undefined) {
      throw new HubNotFoundError(`${source.repo} has no file ${source.file} at revision ${source.revision}; check hf.file in the manifest`);
    }
    const downloadUrl = this.#resolveUrl(source, commit);
    let sha256 = sibling.lfs?.sha256.toLowerCase();
    let bytes = sibling.lfs?.size ?? sibling.size;
    if (sha256 === undefined || bytes === undefined) {
      const head = await this.head(downloadUrl, source, signal);
      const etag = linkedEtag(head.headers);
      const size = Number(head.headers.get('x-linked-size') ?? head.headers.get('content-length'));
      if (etag === undefined || !SHA256.test(etag) || !Number.isSafeInteger(size)) {
        throw new HubResponseError(
          `${source.repo}/${source.file} is not stored in LFS, so Hugging Face publishes no sha256 for it and a download could not be verified`,
        );
      }
      sha256 = etag.toLowerCase();
      bytes = size;
    }
    return {
      hub: 'hf',
      sha256,
      bytes,
      exactSize: true,
      downloadUrl,
      version: commit,
      label: `${source.revision}@${commit.slice(0, 7)}`,
      record: { hub: 'hf', repo: source.repo, file: source.file, revision: source.revision, commit },
    };
  }

  /**
   * Confirms that the file may be downloaded (a gated or private repository
   * lists its files but refuses the bytes), without following the CDN redirect.
   */
  async confirmAccess(remote: RemoteVersion, source: HfSource, signal?: AbortSignal): Promise<void> {
    await this.head(remote.downloadUrl, source, signal);
  }

  async head(url: string, source: HfSource, signal?: AbortSignal): Promise<Response> {
    const response = await this.http.request(url, { method: 'HEAD', redirects: 'none', ...(signal ? { signal } : {}) });
    if (response.status >= 400) await this.fail(response, source);
    return response;
  }

  /** Turns an error answer (of the API, resolve or the CDN) into the error that says what to do. */
  async fail(response: Response, source: HfSource): Promise<never> {
    await discardBody(response);
    const code = response.headers.get('x-error-code');
    const detail = response.headers.get('x-error-message');
    const token = this.http.hasToken ? 'the token (HF_TOKEN) has no access to it' : 'no token is set (HF_TOKEN, or LoadCredential=hf-token)';
    switch (code) {
      case 'RepoNotFound':
        throw new HubNotFoundError(`Hugging Face has no repository ${source.repo}, or it is private and ${token}; check hf.repo in the manifest`);
      case 'RevisionNotFound':
        throw new HubNotFoundError(`${source.repo} has no revision "${source.revision}"; check hf.revision (a branch, tag or commit)`);
      case 'EntryNotFound':
        throw new HubNotFoundError(`${source.repo} has no file ${source.file} at revision ${source.revision}; check hf.file in the manifest`);
      case 'GatedRepo':
        throw new HubGatedError(
          `${source.repo} is gated: accept its conditions at ${this.http.endpoint}/${source.repo} with the account whose token Arena uses (${token})`,
        );
      default:
        break;
    }
    if (response.status === 401 || response.status === 403) {
      throw new HubAuthError(`Hugging Face refused ${source.repo} (${response.status}): ${token}${detail ? ` (${detail})` : ''}`);
    }
    if (response.status === 404) throw new HubNotFoundError(`Hugging Face has no ${source.repo}/${source.file} at ${source.revision} (404)`);
    throw new HubResponseError(`Hugging Face answered ${response.status} for ${source.repo}/${source.file}${detail ? `: ${detail}` : ''}`);
  }

  #resolveUrl(source: HfSource, commit: string): string {
    return this.http.url(`/${encodePath(source.repo)}/resolve/${encodeURIComponent(commit)}/${encodePath(source.file)}`);
  }
}
