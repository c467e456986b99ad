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

/** Each secret's variable, and its file under $CREDENTIALS_DIRECTORY as systemd's LoadCredential= places it. */
const SOURCES: Readonly<Record<keyof Credentials, readonly [variable: string, file: string]>> = {
  hfToken: ['HF_TOKEN', 'hf-token'],
  civitaiToken: ['CIVITAI_TOKEN', 'civitai-token'],
  farmToken: ['ARENA_FARM_TOKEN', 'farm-token'],
  uiToken: ['ARENA_UI_TOKEN', 'ui-token'],
};

function fromFile(env: NodeJS.ProcessEnv, name: string): string | undefined {
  if (!env.CREDENTIALS_DIRECTORY) return undefined;
  try {
    return fs.readFileSync(path.join(env.CREDENTIALS_DIRECTORY, name), 'utf8').trim() || undefined;
  } catch {
    // A credential systemd was not asked to load is simply absent.
    return undefined;
  }
}

/**
 * Reads the tokens from the environment, else from $CREDENTIALS_DIRECTORY,
 * and registers each with the logger's redaction at once, so that nothing
 * logged later can carry one.
 */
export function loadCredentials(env: NodeJS.ProcessEnv): Credentials {
  const credentials: { -readonly [field in keyof Credentials]?: string } = {};
  for (const [field, [variable, file]] of Object.entries(SOURCES) as Array<[keyof Credentials, readonly [string, string]]>) {
    const value = env[variable]?.trim() || fromFile(env, file);
    if (value) {
      registerSecret(value);
      credentials[field] = value;
    }
  }
  return credentials;
}
