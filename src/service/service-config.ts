/**
 * The config file a system install runs with (/etc/arena/config.yaml). It
 * must name the socket, because arenactl run by a user reads the socket path
 * from it, and the group the socket is shared with. An existing file keeps
 * everything else, comments included; a new one also names the state and
 * cache folders, so that arenactl and the daemon agree on them.
 */
import { isMap, parseDocument, type Document } from 'yaml';
import { ServiceSetupError } from './errors.js';
import type { SystemLayout } from './service-layout.js';

const NEW_FILE_HEADER = `# ComfyUI Arena, system install. Written by \`arenactl service install --system\`.
# Every key, with its default, is in config/arena.example.yaml of the package;
# \`arenactl config show\` prints the values in force. Reload after a change:
# systemctl reload arenad
`;

/** The text of a new system config file. */
export function newSystemConfig(layout: SystemLayout): string {
  return `${NEW_FILE_HEADER}
control:
  socket: ${layout.socket}
  socketGroup: ${layout.group}

cache:
  root: ${layout.cacheDir}

state:
  dir: ${layout.stateDir}
`;
}

function setKey(document: Document, section: string, name: string, value: string): void {
  // The loader also takes dotted top-level keys; two spellings of one key would fight.
  if (isMap(document.contents)) document.delete(`${section}.${name}`);
  document.setIn([section, name], value);
}

/**
 * The existing file with `control.socket` and `control.socketGroup` set.
 * Returns the text unchanged when both already have these values.
 */
export function updatedSystemConfig(existing: string, file: string, layout: SystemLayout): string {
  const document = parseDocument(existing);
  if (document.errors.length > 0) {
    throw new ServiceSetupError(`${file} is not valid YAML (${document.errors[0]!.message.split('\n')[0]}); fix it first (arenactl config check ${file})`);
  }
  if (document.contents !== null && !isMap(document.contents)) {
    throw new ServiceSetupError(`${file} must hold a mapping of sections (control:, cache:, ...); fix it first (arenactl config check ${file})`);
  }
  if (document.getIn(['control', 'socket']) === layout.socket && document.getIn(['control', 'socketGroup']) === layout.group) return existing;
  setKey(document, 'control', 'socket', layout.socket);
  setKey(document, 'control', 'socketGroup', layout.group);
  return document.toString();
}

/** `<file>.bak-20250102T030405Z`: beside the file, named by the time of the install. */
export function backupName(file: string, now: Date): string {
  return `${file}.bak-${now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}`;
}
