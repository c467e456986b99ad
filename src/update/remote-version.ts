/** What a hub says the tracked file is now, and where its bytes are. */

/** Where an installed file came from, as the history records it (never a URL: CDN URLs carry signatures). */
export type SourceRecord =
  | { readonly hub: 'hf'; readonly repo: string; readonly file: string; readonly revision: string; readonly commit: string }
  | {
      readonly hub: 'civitai';
      readonly modelId: number | null;
      readonly versionId: number;
      readonly versionName: string | null;
      readonly baseModel: string | null;
      readonly file: string;
    };

export interface RemoteVersion {
  readonly hub: 'hf' | 'civitai';
  /** Lowercase hex. */
  readonly sha256: string;
  readonly bytes: number;
  /**
   * False for CivitAI, which publishes sizes in (rounded) kilobytes: the size
   * is then checked to within a kilobyte, and the sha256 decides.
   */
  readonly exactSize: boolean;
  readonly downloadUrl: string;
  /** The hub's id of this version: a commit, or a CivitAI version id. */
  readonly version: string;
  /** For people: `main@1a2b3c4`, `v2.0 (version 5678)`. */
  readonly label: string;
  readonly record: SourceRecord;
}

/** The tolerance on a size published in kilobytes. */
export const INEXACT_SIZE_SLACK = 1024;

export function sizeMatches(actual: number, remote: Pick<RemoteVersion, 'bytes' | 'exactSize'>): boolean {
  return remote.exactSize ? actual === remote.bytes : Math.abs(actual - remote.bytes) <= INEXACT_SIZE_SLACK;
}

/** An upper bound of the size, for the free-space check and for cutting off a stream that runs long. */
export function maxBytes(remote: Pick<RemoteVersion, 'bytes' | 'exactSize'>): number {
  return remote.exactSize ? remote.bytes : remote.bytes + INEXACT_SIZE_SLACK;
}

/** The file on its hub, for messages: `acme/toy/toy.safetensors`, `style.safetensors of CivitAI version 5678`. */
export function describeRemoteFile(remote: Pick<RemoteVersion, 'record'>): string {
  const { record } = remote;
  return record.hub === 'hf' ? `${record.repo}/${record.file}` : `${record.file} of CivitAI version ${record.versionId}`;
}
