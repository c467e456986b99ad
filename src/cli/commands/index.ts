import type { CliCommand } from '../cli-command.js';
import { comfyInstallNodesCommand } from './comfy-install-nodes.js';
import { comfyLinkCommand, comfyUnlinkCommand } from './comfy-link.js';
import { configCheckCommand } from './config-check.js';
import { configShowCommand } from './config-show.js';
import { doctorCommand } from './doctor.js';
import { logsCommand } from './logs.js';
import { lsCommand } from './ls.js';
import { migrateCommand } from './migrate.js';
import { historyExportCommand } from './history.js';
import { evictCommand, pinCommand, unpinCommand } from './model-actions.js';
import { predictCommand } from './predict.js';
import { prefetchCommand } from './prefetch.js';
import { serviceCommands } from './service.js';
import { simulateCommand } from './simulate.js';
import { statsCommand } from './stats.js';
import { trimCommand } from './trim.js';
import { statusCommand } from './status.js';
import { updateCheckCommand } from './update-check.js';
import { updateHistoryCommand } from './update-history.js';
import { updateIdentifyCommand } from './update-identify.js';
import { updateRollbackCommand } from './update-rollback.js';
import { updateRunCommand } from './update-run.js';
import { updateStatusCommand } from './update-status.js';
import { versionCommand } from './version.js';

/** Every arenactl command, in the order --help lists them. */
export const COMMANDS: readonly CliCommand[] = [
  statusCommand,
  predictCommand,
  prefetchCommand,
  lsCommand,
  statsCommand,
  trimCommand,
  pinCommand,
  unpinCommand,
  evictCommand,
  simulateCommand,
  historyExportCommand,
  updateCheckCommand,
  updateRunCommand,
  updateStatusCommand,
  updateHistoryCommand,
  updateRollbackCommand,
  updateIdentifyCommand,
  configShowCommand,
  configCheckCommand,
  ...serviceCommands(),
  comfyLinkCommand,
  comfyUnlinkCommand,
  comfyInstallNodesCommand,
  migrateCommand,
  logsCommand(),
  doctorCommand(),
  versionCommand,
];
