import { ControlClient } from '../control/control-client.js';
import type { CommandName, CommandResult, RequestArgs } from '../control/contract/commands.js';

/** One request on a fresh connection: connect, ask, close. The result's type is the command's, from the contract. */
export async function requestDaemon<Name extends CommandName>(
  socketPath: string,
  cmd: Name,
  ...args: RequestArgs<Name>
): Promise<CommandResult<Name>> {
  const client = await ControlClient.connect(socketPath);
  try {
    return await client.request(cmd, ...args);
  } finally {
    client.close();
  }
}
