/**
 * An install or uninstall as a list of steps, decided before anything is
 * touched. `--dry-run` prints the list; otherwise `applyPlan` carries it out
 * in order. Keeping the decision apart from the doing is what lets tests
 * check every step without a service manager or root.
 */
import type { OwnedFolder } from './os-entries.js';
import type { ServiceMode } from './service-layout.js';

export type PlanStep =
  /** Create the system user (and its group) unless it exists: by systemd-sysusers from `sysusersFile` where it runs, else useradd. */
  | { readonly kind: 'ensure-user'; readonly user: string; readonly group: string; readonly home: string; readonly sysusersFile: string }
  /** Folders the daemon must own: by systemd-tmpfiles from `tmpfilesFile` where it runs, else mkdir and chown. */
  | { readonly kind: 'ensure-folders'; readonly folders: readonly OwnedFolder[]; readonly tmpfilesFile: string }
  /** A folder the install writes into. */
  | { readonly kind: 'mkdir'; readonly path: string }
  /** A file, written atomically; `backup` names where the previous content is copied first. */
  | { readonly kind: 'write'; readonly path: string; readonly content: string; readonly mode: number; readonly backup?: string }
  | { readonly kind: 'remove'; readonly path: string }
  /** A command; `allowFailure` for steps that fail harmlessly when there is nothing to undo. */
  | { readonly kind: 'run'; readonly command: readonly string[]; readonly allowFailure?: boolean };

export interface ServicePlan {
  readonly action: 'install' | 'uninstall';
  readonly mode: ServiceMode;
  /** The unit file or plist. */
  readonly definitionFile: string;
  readonly configFile: string;
  readonly steps: readonly PlanStep[];
  /** What the user should know or do next. */
  readonly notes: readonly string[];
  /** Why the plan must not be carried out (the unit would hide the daemon from itself); applyPlan refuses it. */
  readonly refusals?: readonly string[];
}

function octal(mode: number): string {
  return `0${mode.toString(8)}`;
}

/** One line per step, as `--dry-run` and the report after an install print them. */
export function describeStep(step: PlanStep): string {
  switch (step.kind) {
    case 'ensure-user':
      return `create the system user ${step.user} (group ${step.group}, home ${step.home}) unless it exists: systemd-sysusers ${step.sysusersFile}, else useradd`;
    case 'ensure-folders':
      return `create ${step.folders.map((folder) => `${folder.path} owned by ${folder.user}:${folder.group}`).join(', ')}: systemd-tmpfiles --create ${step.tmpfilesFile}, else mkdir and chown`;
    case 'mkdir':
      return `create ${step.path}`;
    case 'write':
      return `write ${step.path} (${octal(step.mode)})${step.backup ? `, keeping the previous one as ${step.backup}` : ''}`;
    case 'remove':
      return `remove ${step.path}`;
    case 'run':
      return `run ${step.command.join(' ')}${step.allowFailure ? ' (a failure here is fine)' : ''}`;
  }
}

/** The plan as JSON for `--json`: the steps with their file contents. */
export function planDocument(plan: ServicePlan, dryRun: boolean) {
  return {
    action: plan.action,
    mode: plan.mode,
    dryRun,
    definitionFile: plan.definitionFile,
    configFile: plan.configFile,
    steps: plan.steps.map((step) => ({ ...step, ...(step.kind === 'write' ? { mode: octal(step.mode) } : {}), description: describeStep(step) })),
    notes: plan.notes,
    ...(plan.refusals && plan.refusals.length > 0 ? { refusals: plan.refusals } : {}),
  };
}
