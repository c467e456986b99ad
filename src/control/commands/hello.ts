import { z } from 'zod';
import { ArenaError } from '../../core/arena-error.js';
import type { CommandDefinition, CommandRegistry } from '../command-registry.js';
import { ERROR_CODES, PROTOCOL_VERSION, type HelloResult } from '../protocol.js';

export function helloCommand(version: string, registry: CommandRegistry): CommandDefinition<{ protocol?: number }> {
  return {
    name: 'hello',
    summary: 'Handshake: the daemon version, the protocol and the commands it knows.',
    args: z.object({ protocol: z.number().int().positive().optional() }).strict(),
    run({ protocol }): HelloResult {
      if (protocol !== undefined && protocol !== PROTOCOL_VERSION) {
        throw new ArenaError(
          ERROR_CODES.protocol,
          `this daemon speaks protocol ${PROTOCOL_VERSION}, not ${protocol}; upgrade arenactl or the daemon so that they match`,
        );
      }
      return { protocol: PROTOCOL_VERSION, version, pid: process.pid, commands: registry.names() };
    },
  };
}
