/**
 * `arenad [--config FILE] [--KEY VALUE | --KEY=VALUE ...]`, where KEY is any
 * dotted config key (`--cache.maxBytes=64GB`), plus `--version` (`-V`) and `--help` (`-h`).
 * Key names are checked by the config loader, which knows the schema.
 */
export type DaemonArgs =
  | { kind: 'run'; configFile?: string; flags: Array<{ key: string; value: string }> }
  | { kind: 'version' }
  | { kind: 'help' }
  | { kind: 'usage-error'; message: string };

export const DAEMON_USAGE = `Usage: arenad [--config FILE] [--KEY VALUE ...]

Runs the ComfyUI Arena daemon in the foreground.

  --config FILE   the config file (else ARENA_CONFIG, else ~/.config/arena/config.yaml, else /etc/arena/config.yaml)
  --KEY VALUE     set any config key, e.g. --cache.maxBytes 64GB (see arenactl config show)
  -V, --version   print the version
  -h, --help      print this help

Outside systemd the log also goes to <state.dir>/arenad.log (log.file; "off" for none);
arenactl logs shows it. NO_COLOR=1 turns colour off on a terminal.
`;

export function parseDaemonArgs(argv: readonly string[]): DaemonArgs {
  const flags: Array<{ key: string; value: string }> = [];
  let configFile: string | undefined;
  for (let index = 0; index < argv.length; index++) {
    const arg = argv[index]!;
    if (arg === '--version' || arg === '-V') return { kind: 'version' };
    if (arg === '--help' || arg === '-h') return { kind: 'help' };
    if (!arg.startsWith('--') || arg === '--') return { kind: 'usage-error', message: `unexpected argument "${arg}"` };
    const equals = arg.indexOf('=');
    const name = equals < 0 ? arg.slice(2) : arg.slice(2, equals);
    let value: string | undefined = equals < 0 ? undefined : arg.slice(equals + 1);
    if (value === undefined) {
      value = argv[index + 1];
      if (value === undefined || value.startsWith('--')) return { kind: 'usage-error', message: `--${name} needs a value` };
      index += 1;
    }
    if (name === 'config') configFile = value;
    else flags.push({ key: name, value });
  }
  return { kind: 'run', ...(configFile === undefined ? {} : { configFile }), flags };
}
