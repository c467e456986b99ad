import fs from 'node:fs';
import path from 'node:path';
import { registerSecret } from '../log/redact.js';

/** The hub tokens. They are never config values: config is printed, tokens never are. */
export interface Credentials {
  readonly hfToken?: string;
  readonly civitaiToken?: string;
}

/** File names under $CREDENTIALS_DIRECTORY, as systemd's LoadCredential= places them. */
const CREDENTIAL_FILES = { hfToken: 'hf-token', civitaiToken: 'civitai-token' } as const;
const VARIABLES = { hfToken: 'HF_TOKEN', civitaiToken: 'CIVITAI_TOKEN' } as const;

function fromFile(env: NodeJS.ProcessEnv, name: string): string | undefined {
  if (!env.CREDENTIALS_DIRECTORY) return undefined;
  try {
    return fs.readFileSync(path.join(env.CREDENTIALS_DIRECTORY, name), 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

/**
 * Reads the tokens from the environment, else from $CREDENTIALS_DIRECTORY,
 * and registers each with the logger's redaction at once, so that nothing
 * logged later can carry one.
 */
export function loadCredentials(env: NodeJS.ProcessEnv): Credentials {
  const credentials: { hfToken?: string; civitaiToken?: string } = {};
  for (const field of ['hfToken', 'civitaiToken'] as const) {
    const value = env[VARIABLES[field]]?.trim() || fromFile(env, CREDENTIAL_FILES[field]);
    if (value) {
      registerSecret(value);
      credentials[field] = value;
    }
  }
  return credentials;
}
