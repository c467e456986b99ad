import type { CliCommand } from '../cli-command.js';
import { configCheckCommand } from './config-check.js';
import { configShowCommand } from './config-show.js';
import { predictCommand } from './predict.js';
import { statusCommand } from './status.js';
import { versionCommand } from './version.js';

/** Every arenactl command, in the order --help lists them. */
export const COMMANDS: readonly CliCommand[] = [
  statusCommand,
  predictCommand,
  configShowCommand,
  configCheckCommand,
  versionCommand,
];
