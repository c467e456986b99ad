import { ArenaError } from '../../core/arena-error.js';
import { socketCommand, type CommandRegistry } from '../command-registry.js';
import { PROTOCOL_VERSION } from '../protocol.js';

export function helloCommand(version: string, registry: CommandRegistry) {
  return socketCommand('hello', ({ protocol }) => {
    if (protocol !== undefined && protocol !== PROTOCOL_VERSION) {
      throw new ArenaError(
        'E_PROTOCOL',
        `this daemon speaks protocol ${PROTOCOL_VERSION}, not ${protocol}; upgrade arenactl or the daemon so that they match`,
      );
    }
    return { protocol: PROTOCOL_VERSION, version, pid: process.pid, commands: registry.names() };
  });
}
