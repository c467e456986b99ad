#!/usr/bin/env -S MALLOC_ARENA_MAX=2 node --max-semi-space-size=4
import { ArenaError, messageOf } from '../core/arena-error.js';
import { ConfigError } from '../config/errors.js';
import { loadCredentials } from '../config/credentials.js';
import { loadConfig } from '../config/load-config.js';
import { currentPlatform } from '../config/platform.js';
import { logFileFor } from '../log/log-destination.js';
import { createLogger, detectLogStyle } from '../log/logger.js';
import { VERSION } from '../package-info.js';
import { Daemon } from './daemon.js';
import { privateModes } from './private-modes.js';
import { DAEMON_USAGE, parseDaemonArgs } from './daemon-args.js';
import { ServiceNotifications } from './notify-service.js';

/** Resolves with an exit code, or 'running' once the daemon is up (a signal ends it later). */
async function main(argv: readonly string[]): Promise<number | 'running'> {
  const args = parseDaemonArgs(argv);
  if (args.kind === 'version') {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  if (args.kind === 'help') {
    process.stdout.write(DAEMON_USAGE);
    return 0;
  }
  if (args.kind === 'usage-error') {
    process.stderr.write(`arenad: ${args.message}\n\n${DAEMON_USAGE}`);
    return 2;
  }

  const platform = currentPlatform();
  // Before anything is logged: every later line is redacted against these.
  const credentials = loadCredentials(platform.env);
  const load = () => loadConfig({ platform, flags: args.flags, ...(args.configFile === undefined ? {} : { configFile: args.configFile }) });
  let loaded;
  try {
    loaded = load();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    for (const problem of error.problems) process.stderr.write(`arenad: ${problem.message}\n`);
    process.stderr.write('arenad: not started; fix the configuration above (arenactl config check validates it)\n');
    return 1;
  }

  // Before the first file is created (the log, the locks, the cache tree): nothing the daemon writes is world-readable.
  const modes = privateModes(loaded.config.control.socketGroup !== '');
  process.umask(modes.umask);
  const style = detectLogStyle(process.env, process.stderr);
  // Outside the journal stderr is a terminal or nothing at all: the file is where the log stays.
  const logFile = logFileFor(
    { configured: loaded.config.log.file, stateDir: loaded.config.state.dir, home: platform.home, os: process.platform },
    style === 'journal',
  );
  const logging = createLogger({ level: loaded.config.log.level, style, ...(logFile === null ? {} : { file: { file: logFile, mode: modes.file } }) });
  const { logger } = logging;
  const daemon = new Daemon({ loaded, reloadConfig: load, logging, platform, credentials });
  // READY=1, STATUS=, RELOADING=1, STOPPING=1 and watchdog pings; nothing outside systemd.
  const systemd = new ServiceNotifications({
    env: process.env,
    pid: process.pid,
    logger: logger.child({ module: 'systemd' }),
    summary: () => daemon.summary(),
  });
  systemd.start();

  let stopping: Promise<number> | undefined;
  const stop = (signal: string) => {
    if (stopping) {
      if (signal === 'SIGINT') {
        logger.warn('second interrupt: exiting without waiting for running work');
        process.exit(1);
      }
      return;
    }
    systemd.stopping().catch((error: unknown) => logger.warn('telling systemd the daemon stops failed', { err: error }));
    stopping = daemon.stop(signal).then(
      () => 0,
      (error: unknown) => {
        logger.error('clean stop failed', { err: error });
        return 1;
      },
    );
    stopping
      .then(async (code) => {
        await systemd.close();
        await logging.close();
        process.exit(code);
      })
      .catch((error: unknown) => {
        // The log may be what failed to close: the exit code still says the stop went wrong.
        console.error(`arenad: stopping failed: ${messageOf(error)}`);
        process.exit(1);
      });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGHUP', () => {
    logger.info('SIGHUP: reloading the configuration');
    systemd.reloading().catch((error: unknown) => logger.warn('telling systemd the daemon reloads failed', { err: error }));
    daemon
      .reload()
      .catch((error: unknown) => logger.error('reload failed', { err: error }))
      .then(() => systemd.reloaded())
      .catch((error: unknown) => logger.warn('telling systemd the reload is done failed', { err: error }));
  });
  process.on('unhandledRejection', (reason) => logger.error('unhandled rejection (the daemon carries on)', { err: reason }));
  process.on('uncaughtException', (error) => {
    logger.error('uncaught exception; exiting so that the service manager restarts a clean daemon', { err: error });
    logging
      .close()
      // Exiting is what matters here; a log that cannot close has nothing more to say.
      .catch(() => undefined)
      .finally(() => process.exit(70));
  });

  try {
    await daemon.start();
    await systemd.ready();
  } catch (error) {
    const message = error instanceof ArenaError ? error.message : messageOf(error);
    logger.error(`not started: ${message}`, error instanceof ArenaError ? { code: error.code } : { err: error });
    await daemon.stop('start-up failed').catch((stopError: unknown) => logger.warn('stopping after the failed start failed too', { err: stopError }));
    await systemd.close();
    await logging.close();
    // Watchers or timers that started before the failure must not keep the process alive.
    process.exit(1);
  }
  return 'running';
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== 'running') process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`arenad: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  },
);
