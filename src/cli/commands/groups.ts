/** What each group of subcommands is for, as `arenactl --help` and `arenactl GROUP --help` say it. */
export const COMMAND_GROUPS: Readonly<Record<string, string>> = {
  history: "Export the daemon's usage history (runs and saved workflows) as a trace for arenactl simulate.",
  update: 'Keep the models listed in updates.manifest up to date from Hugging Face and CivitAI, and roll them back.',
  config: 'Show the effective configuration with the source of each value, or check a config file.',
  service: 'Install, remove or inspect arenad as a systemd service (a LaunchAgent on macOS).',
  comfy: 'Connect ComfyUI to the SSD cache through its extra_model_paths.yaml, and install the Arena nodes.',
};
