/**
 * CivitAI: a model lists its versions (newest first), a version lists its
 * files with their sha256 (`hashes.SHA256`, upper-case hex) and their size in
 * kilobytes, and `by-hash` names the version a file belongs to. Downloads go
 * through `/api/download/models/{versionId}`, which redirects to storage.
 */
import path from 'node:path';
import { z } from 'zod';
import { redactText } from '../log/redact.js';
import { readCappedText } from './capped-body.js';
import { HubAuthError, HubNotFoundError, HubResponseError, TargetError } from './errors.js';
import { shownUrl, type HubHttp } from './hub-http.js';
import type { CivitaiSource } from './manifest.js';
import type { RemoteVersion } from './remote-version.js';

const fileSchema = z.object({
  name: z.string(),
  sizeKB: z.number().nonnegative(),
  type: z.string().optional(),
  primary: z.boolean().optional(),
  hashes: z.record(z.string()).default({}),
  downloadUrl: z.string().min(1),
});

const versionSchema = z.object({
  id: z.number().int(),
  modelId: z.number().int().optional(),
  name: z.string().optional(),
  baseModel: z.string().optional(),
  files: z.array(fileSchema).default([]),
  model: z.object({ name: z.string().optional(), type: z.string().optional() }).optional(),
});

const modelSchema = z.object({
  id: z.number().int(),
  name: z.string().optional(),
  type: z.string().optional(),
  modelVersions: z.array(versionSchema),
});

export type CivitaiFile = z.infer<typeof fileSchema>;
export type CivitaiVersion = z.infer<typeof versionSchema>;

const SHA256 = /^[0-9a-f]{64}$/i;

function sha256Of(file: CivitaiFile): string | undefined {
  const value = Object.entries(file.hashes).find(([kind]) => kind.toUpperCase() === 'SHA256')?.[1];
  return value !== undefined && SHA256.test(value) ? value.toLowerCase() : undefined;
}

/**
 * The file of a version that the target follows: only files with a sha256
 * (nothing else can be verified), of the target's extension when there is
 * one, then the version's primary file, then its first `Model` file.
 */
export function pickFile(files: readonly CivitaiFile[], targetName: string): CivitaiFile | undefined {
  const verifiable = files.filter((file) => sha256Of(file) !== undefined);
  const extension = path.extname(targetName).toLowerCase();
  const sameKind = verifiable.filter((file) => path.extname(file.name).toLowerCase() === extension);
  const pool = sameKind.length > 0 ? sameKind : verifiable;
  return pool.find((file) => file.primary === true) ?? pool.find((file) => file.type === 'Model') ?? pool[0];
}

/** The version whose files include one with this sha256. */
export function versionHolding(versions: readonly CivitaiVersion[], sha256: string): CivitaiVersion | undefined {
  return versions.find((version) => version.files.some((file) => sha256Of(file) === sha256));
}

export class CivitaiClient {
  readonly http: HubHttp;

  constructor(http: HubHttp) {
    this.http = http;
  }

  /**
   * The version the source points at now and the target's file in it.
   * `installedSha256` is asked for only when `baseModel: same` needs the
   * installed version's base model.
   */
  async resolve(
    source: CivitaiSource,
    targetName: string,
    installedSha256: () => Promise<string | undefined>,
    signal?: AbortSignal,
  ): Promise<RemoteVersion> {
    const version =
      source.versionId !== undefined ? await this.version(source.versionId, signal) : await this.#latest(source, targetName, installedSha256, signal);
    const file = pickFile(version.files, targetName);
    if (file === undefined) {
      throw new HubResponseError(`CivitAI version ${version.id} has no file with a published SHA256, so a download could not be verified`);
    }
    const modelId = version.modelId ?? source.modelId ?? null;
    return {
      hub: 'civitai',
      sha256: sha256Of(file)!,
      bytes: Math.round(file.sizeKB * 1024),
      exactSize: false,
      downloadUrl: new URL(file.downloadUrl, this.http.endpoint).toString(),
      version: String(version.id),
      label: `${version.name ?? 'version'} (version ${version.id})`,
      record: {
        hub: 'civitai',
        modelId,
        versionId: version.id,
        versionName: version.name ?? null,
        baseModel: version.baseModel ?? null,
        file: file.name,
      },
    };
  }

  async version(versionId: number, signal?: AbortSignal): Promise<CivitaiVersion> {
    const url = this.http.url(`/api/v1/model-versions/${versionId}`);
    return this.#parse(versionSchema, await this.http.json(url, (response) => this.fail(response, `version ${versionId}`), signal), url);
  }

  async model(modelId: number, signal?: AbortSignal): Promise<z.infer<typeof modelSchema>> {
    const url = this.http.url(`/api/v1/models/${modelId}`);
    return this.#parse(modelSchema, await this.http.json(url, (response) => this.fail(response, `model ${modelId}`), signal), url);
  }

  /** The version a file belongs to, or undefined when CivitAI does not know the hash. */
  async byHash(sha256: string, signal?: AbortSignal): Promise<CivitaiVersion | undefined> {
    const url = this.http.url(`/api/v1/model-versions/by-hash/${sha256}`);
    try {
      return this.#parse(versionSchema, await this.http.json(url, (response) => this.fail(response, `a file of sha256 ${sha256}`), signal), url);
    } catch (error) {
      if (error instanceof HubNotFoundError) return undefined;
      throw error;
    }
  }

  /** Turns an error answer into the error that says what to do. */
  async fail(response: Response, what: string): Promise<never> {
    const detail = await errorDetail(response);
    const token = this.http.hasToken ? 'the token (CIVITAI_TOKEN) has no access' : 'set a token (CIVITAI_TOKEN, or LoadCredential=civitai-token)';
    if (response.status === 404) throw new HubNotFoundError(`CivitAI has no ${what}${detail}; check the civitai ids in the manifest`);
    if (response.status === 401 || response.status === 403) throw new HubAuthError(`CivitAI refused ${what} (${response.status})${detail}: ${token}`);
    throw new HubResponseError(`CivitAI answered ${response.status} for ${what}${detail}`);
  }

  async #latest(
    source: CivitaiSource,
    targetName: string,
    installedSha256: () => Promise<string | undefined>,
    signal?: AbortSignal,
  ): Promise<CivitaiVersion> {
    const model = await this.model(source.modelId!, signal);
    let baseModel = source.baseModel;
    if (baseModel === 'same') {
      const sha256 = await installedSha256();
      baseModel = sha256 === undefined ? undefined : versionHolding(model.modelVersions, sha256)?.baseModel;
      if (baseModel === undefined) {
        throw new TargetError(
          `baseModel: same needs the installed file to be a version of CivitAI model ${model.id}, and it is ${sha256 === undefined ? 'not in the library' : 'none of its versions'}; name the base model instead (baseModel: "SDXL 1.0")`,
        );
      }
    }
    const candidates = model.modelVersions.filter(
      (version) => (baseModel === undefined || version.baseModel === baseModel) && pickFile(version.files, targetName) !== undefined,
    );
    const newest = candidates[0];
    if (newest === undefined) {
      throw new HubNotFoundError(
        `CivitAI model ${model.id} has no version${baseModel === undefined ? '' : ` for base model "${baseModel}"`} with a verifiable file`,
      );
    }
    return { ...newest, modelId: newest.modelId ?? model.id };
  }

  #parse<T>(schema: z.ZodType<T, z.ZodTypeDef, unknown>, body: unknown, url: string): T {
    const parsed = schema.safeParse(body);
    if (!parsed.success)
      throw new HubResponseError(`CivitAI answered ${shownUrl(url)} with an unexpected body: ${parsed.error.issues[0]?.message ?? ''}`);
    return parsed.data;
  }
}

/** An error explanation is a sentence; a larger body is not read for one. */
const MAX_ERROR_BODY_BYTES = 64 * 1024;

/**
 * CivitAI explains errors in `{"error": "..."}`; a short version of it helps
 * the message. Redacted before it is shortened, so a token the hub echoes
 * cannot be cut to a fragment that no longer matches.
 */
async function errorDetail(response: Response): Promise<string> {
  try {
    const body = JSON.parse(await readCappedText(response, MAX_ERROR_BODY_BYTES)) as { error?: unknown; message?: unknown };
    const text = typeof body.error === 'string' ? body.error : typeof body.message === 'string' ? body.message : undefined;
    return text === undefined ? '' : ` (${redactText(text).slice(0, 200)})`;
  } catch {
    // The detail is a courtesy: the status alone makes the message.
    return '';
  }
}
