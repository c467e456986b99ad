/**
 * Carries out a plan step by step. Files are written atomically (a previous
 * config is copied to its backup first), commands run through the injected
 * runner; the first step that fails stops the rest with an error that names
 * it, so nothing runs on a half-made install.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { NOLOGIN_SHELL, USER_COMMENT } from './os-entries.js';
import writeFileAtomic from 'write-file-atomic';
import { runChecked, type CommandRunner } from './command-runner.js';
import { ServiceSetupError } from './errors.js';
import { describeStep, type PlanStep, type ServicePlan } from './service-plan.js';


async function exists(runner: CommandRunner, database: 'passwd' | 'group', name: string): Promise<boolean> {
  return (await runner.run('getent', [database, name], { timeoutMs: 10_000 })).exitCode === 0;
}

/** useradd for a system account with no login; reuses a group of the same name that already exists. */
async function ensureUser(runner: CommandRunner, step: Extract<PlanStep, { kind: 'ensure-user' }>): Promise<string> {
  if (await exists(runner, 'passwd', step.user)) return `the user ${step.user} exists already`;
  // systemd-sysusers where it runs: the same entry then also holds at every boot.
  const sysusers = await runner.run('systemd-sysusers', [step.sysusersFile], { timeoutMs: 60_000 });
  if (sysusers.exitCode === 0 && (await exists(runner, 'passwd', step.user))) return `created the system user ${step.user} (systemd-sysusers)`;
  let groupArgs = ['--gid', step.group];
  if (!(await exists(runner, 'group', step.group))) {
    if (step.group === step.user) groupArgs = ['--user-group'];
    else await runChecked(runner, 'groupadd', ['--system', step.group]);
  }
  await runChecked(runner, 'useradd', ['--system', ...groupArgs, '--home-dir', step.home, '--no-create-home', '--shell', NOLOGIN_SHELL, '--comment', USER_COMMENT, step.user]);
  return `created the system user ${step.user}`;
}

async function ensureFolders(runner: CommandRunner, step: Extract<PlanStep, { kind: 'ensure-folders' }>): Promise<string> {
  const made = step.folders.map((folder) => `${folder.path} (${folder.user}:${folder.group})`).join(', ');
  const tmpfiles = await runner.run('systemd-tmpfiles', ['--create', step.tmpfilesFile], { timeoutMs: 60_000 });
  if (tmpfiles.exitCode === 0 && (await Promise.all(step.folders.map((folder) => isFolder(folder.path)))).every(Boolean)) {
    return `created ${made} (systemd-tmpfiles)`;
  }
  for (const folder of step.folders) {
    await fs.mkdir(folder.path, { recursive: true });
    await runChecked(runner, 'chown', [`${folder.user}:${folder.group}`, folder.path]);
  }
  return `created ${made}`;
}

async function isFolder(target: string): Promise<boolean> {
  // One that cannot be looked at is no folder: the fallback below makes it, or fails with the real reason.
  return (await fs.stat(target).catch(() => undefined))?.isDirectory() === true;
}

async function applyStep(runner: CommandRunner, step: PlanStep): Promise<string> {
  switch (step.kind) {
    case 'ensure-user':
      return ensureUser(runner, step);
    case 'ensure-folders':
      return ensureFolders(runner, step);
    case 'mkdir':
      await fs.mkdir(step.path, { recursive: true });
      return describeStep(step).replace(/^create/, 'created');
    case 'write':
      if (step.backup) await fs.copyFile(step.path, step.backup);
      await fs.mkdir(path.dirname(step.path), { recursive: true });
      await writeFileAtomic(step.path, step.content, { mode: step.mode });
      return step.backup ? `wrote ${step.path} (the previous one is ${step.backup})` : `wrote ${step.path}`;
    case 'remove':
      await fs.rm(step.path, { force: true });
      return `removed ${step.path}`;
    case 'run': {
      if (step.allowFailure) {
        const result = await runner.run(step.command[0]!, step.command.slice(1), { timeoutMs: 120_000 });
        return `ran ${step.command.join(' ')}${result.exitCode === 0 ? '' : ` (exit ${result.exitCode}, which is fine here)`}`;
      }
      await runChecked(runner, step.command[0]!, step.command.slice(1), { timeoutMs: 120_000 });
      return `ran ${step.command.join(' ')}`;
    }
  }
}

/** Runs every step in order; resolves with one line per step done. */
export async function applyPlan(plan: ServicePlan, runner: CommandRunner, onStep: (line: string) => void = () => undefined): Promise<string[]> {
  // Refused before the first step: a service that could not start must not replace one that runs.
  if (plan.refusals && plan.refusals.length > 0) throw new ServiceSetupError(`${plan.action} refused, nothing was changed: ${plan.refusals.join('; ')}`);
  const done: string[] = [];
  for (const [index, step] of plan.steps.entries()) {
    try {
      const line = await applyStep(runner, step);
      done.push(line);
      onStep(line);
    } catch (error) {
      const left = plan.steps.length - index - 1;
      throw new ServiceSetupError(
        `${plan.action} stopped at step ${index + 1} of ${plan.steps.length} (${describeStep(step)}): ${(error as Error).message}` +
          (left > 0 ? `; ${left} later steps were not run. Fix the cause and run the command again` : ''),
        { cause: error },
      );
    }
  }
  return done;
}
