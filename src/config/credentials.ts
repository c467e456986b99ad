import fs from 'node:fs';
import path from 'node:path';
import { registerSecret } from '../log/redact.js';

/**
 * Every secret the daemon may hold: the hub tokens, and the tokens of the
 * farm (between boxes) and of the status page. They are never config
 * values: config is printed, tokens never are.
 */
export interface Credentials {
  readonly hfToken?: string;
  readonly civitaiToken?: string;
  readonly farmToken?: string;
  readonly uiToken?: string;
}

type CredentialField = keyof Credentials;

/** File names under $CREDENTIALS_DIRECTORY, as systemd's LoadCredential= places them. */
const CREDENTIAL_FILES: Record<CredentialField, string> = {
  hfToken: 'hf-token',
  civitaiToken: 'civitai-token',
  farmToken: 'farm-token',
  uiToken: 'ui-token',
};
const VARIABLES: Record<CredentialField, string> = {
  hfToken: 'HF_TOKEN',
  civitaiToken: 'CIVITAI_TOKEN',
  farmToken: 'ARENA_FARM_TOKEN',
  uiToken: 'ARENA_UI_TOKEN',
};

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
  const credentials: { -readonly [field in CredentialField]?: string } = {};
  for (const field of Object.keys(VARIABLES) as CredentialField[]) {
    const value = env[VARIABLES[field]]?.trim() || fromFile(env, CREDENTIAL_FILES[field]);
    if (value) {
      registerSecret(value);
      credentials[field] = value;
    }
  }
  return credentials;
}
