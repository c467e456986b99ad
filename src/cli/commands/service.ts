import fs from 'node:fs';
import type { Command } from 'commander';
import { applyPlan } from '../../service/apply-plan.js';
import { ServiceSetupError } from '../../service/errors.js';
import { planInstall } from '../../service/plan-install.js';
import { planUninstall } from '../../service/plan-uninstall.js';
import { defaultServiceContext, type ServiceContext } from '../../service/service-context.js';
import type { ServiceMode } from '../../service/service-layout.js';
import { chooseMode, type ModeFlags } from '../../service/service-mode.js';
import { describeStep, planDocument, type ServicePlan } from '../../service/service-plan.js';
import { describeServiceStatus, serviceStatus } from '../../service/service-status.js';
import type { CliCommand } from '../cli-command.js';
import { EXIT, UsageError } from '../cli-errors.js';
import type { CliIo } from '../cli-io.js';
import type { Output } from '../output.js';

interface ServiceOptions extends ModeFlags {
  readonly dryRun?: boolean;
}

export type ServiceContextFactory = (io: CliIo) => ServiceContext;

function modeOptions(command: Command): void {
  command.option('--user', 'the per-user service (Linux; the default unless run as root)');
  command.option('--system', 'the system service, run as its own user (Linux, as root)');
}

function modeOf(options: ServiceOptions, context: ServiceContext, purpose: 'install' | 'existing'): ServiceMode {
  if (options.user && options.system) throw new UsageError('--user and --system exclude each other; give one');
  return chooseMode(options, context, purpose);
}

/** What stops a real install; a dry run only mentions it. */
function installBlockers(mode: ServiceMode, context: ServiceContext): string[] {
  const blockers: string[] = [];
  if (mode === 'system' && context.platform.uid !== 0) {
    blockers.push('a system install needs root: run it with sudo, or use --user to install for yourself');
  }
  if (!fs.existsSync(context.paths.daemonEntry)) {
    blockers.push(`the daemon is not built (${context.paths.daemonEntry} is missing): run npm run build in ${context.paths.root}`);
  }
  return blockers;
}

function printDryRun(plan: ServicePlan, output: Output): void {
  output.line(`${plan.action} (${plan.mode}), dry run: nothing is changed`);
  for (const step of plan.steps) {
    output.line(`would ${describeStep(step)}`);
    if (step.kind === 'write') {
      for (const line of step.content.replace(/\n$/, '').split('\n')) output.line(`    | ${line}`);
    }
  }
}

function printNotes(notes: readonly string[], output: Output): void {
  for (const note of notes) output.line(`note: ${note}`);
}

async function runPlan(
  plan: ServicePlan,
  dryRun: boolean,
  context: ServiceContext,
  output: Output,
  extraNotes: readonly string[] = [],
): Promise<number> {
  if (dryRun) {
    if (output.json) output.document({ ...planDocument(plan, true), notes: [...extraNotes, ...plan.notes] });
    else {
      printDryRun(plan, output);
      printNotes([...extraNotes, ...plan.notes], output);
    }
    return EXIT.ok;
  }
  const done = await applyPlan(plan, context.runner, (line) => {
    if (!output.json) output.line(line);
  });
  const status = plan.action === 'install' ? await serviceStatus(plan.mode, context) : undefined;
  if (output.json) {
    output.document({ ...planDocument(plan, false), done, ...(status ? { status } : {}) });
  } else {
    if (status) output.line(describeServiceStatus(status));
    printNotes(plan.notes, output);
  }
  return EXIT.ok;
}

/** A command whose work is a service plan: what it is called and how it makes the plan. */
interface PlanCommandSpec {
  readonly path: readonly string[];
  readonly description: string;
  readonly dryRunHelp: string;
  /** Which mode it picks without --user or --system (service-mode.ts). */
  readonly purpose: 'install' | 'existing';
  /** The plan, and notes for a dry run; throws what stops a real run before anything changes. */
  plan(mode: ServiceMode, context: ServiceContext, dryRun: boolean): Promise<PlannedRun> | PlannedRun;
}

interface PlannedRun {
  readonly plan: ServicePlan;
  readonly notes?: readonly string[];
}

/**
 * `service install` and `service uninstall`: each picks the mode, makes its
 * plan and carries it out, or with --dry-run prints it and changes nothing.
 */
function planCommand(makeContext: ServiceContextFactory, spec: PlanCommandSpec): CliCommand<ServiceOptions> {
  return {
    path: spec.path,
    description: spec.description,
    configure(command) {
      modeOptions(command);
      command.option('--dry-run', spec.dryRunHelp);
    },
    async run({ options, io, output }) {
      const context = makeContext(io);
      const mode = modeOf(options, context, spec.purpose);
      const dryRun = options.dryRun === true;
      const { plan, notes } = await spec.plan(mode, context, dryRun);
      return runPlan(plan, dryRun, context, output, notes);
    },
  };
}

export function serviceCommands(makeContext: ServiceContextFactory = (io) => defaultServiceContext(io.platform)): CliCommand<ServiceOptions>[] {
  const install = planCommand(makeContext, {
    path: ['service', 'install'],
    description: 'Install arenad as a service (systemd system or user unit, or a launchd agent on macOS) and start it.',
    dryRunHelp: 'print what would be written and run, and change nothing',
    purpose: 'install',
    async plan(mode, context, dryRun) {
      const blockers = installBlockers(mode, context);
      if (blockers.length > 0 && !dryRun) throw new ServiceSetupError(blockers.join('; '));
      return { plan: await planInstall(mode, context), notes: blockers.map((blocker) => `a real install would stop here: ${blocker}`) };
    },
  });

  const uninstall = planCommand(makeContext, {
    path: ['service', 'uninstall'],
    description: 'Stop and remove the service; the config, state, cache and models stay.',
    dryRunHelp: 'print what would be removed and run, and change nothing',
    purpose: 'existing',
    plan(mode, context, dryRun) {
      if (mode === 'system' && context.platform.uid !== 0 && !dryRun) {
        throw new ServiceSetupError('removing the system service needs root: run it with sudo');
      }
      return { plan: planUninstall(mode, context) };
    },
  });

  const status: CliCommand<ServiceOptions> = {
    path: ['service', 'status'],
    description: 'Show whether the service is installed and running, as systemd or launchd sees it.',
    configure: modeOptions,
    async run({ options, io, output }) {
      const context = makeContext(io);
      const state = await serviceStatus(modeOf(options, context, 'existing'), context);
      if (output.json) output.document(state);
      else {
        output.line(describeServiceStatus(state));
        if (state.installed) output.line(`definition ${state.definitionFile}`);
        if (state.linger === false) output.line('note: lingering is off, so the service stops when you log out (loginctl enable-linger)');
      }
      return state.error ? EXIT.failure : EXIT.ok;
    },
  };

  return [install, uninstall, status];
}
