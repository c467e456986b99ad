/**
 * Makes a machine ready for a test tier, or says exactly why it is not: as
 * root with apt it installs the Debian packages that are missing (one
 * `apt-get update`, one `apt-get install` of only those); otherwise it names
 * the `apt-get install` line to run and fails. It never lets a tier start
 * without what it needs, so no test is ever skipped for a missing tool.
 */
import { REQUIREMENTS, type Requirement, type Tier } from './requirements.js';

/** The parts of the machine the step looks at and acts on. */
export interface Host {
  readonly isRoot: boolean;
  readonly hasApt: boolean;
  /** Whether /dev/fuse is there to be opened (a container may lack it even as root). */
  readonly hasFuseDevice: boolean;
  hasCommand(command: string): boolean;
  /** Runs a program with the terminal's output; resolves with its exit code. */
  run(argv: readonly string[]): Promise<number>;
  say(line: string): void;
}

export class TestDepsError extends Error {
  override readonly name = 'TestDepsError';
}

/** The e2e tier mounts FUSE and tmpfs file systems, boots a container and acts as other users. */
const ROOT_TIERS: ReadonlySet<Tier> = new Set(['e2e']);
const FUSE_TIERS: ReadonlySet<Tier> = new Set(['e2e']);

export function installLine(packages: readonly string[]): string {
  return `apt-get install -y --no-install-recommends ${packages.join(' ')}`;
}

function missingFor(tiers: readonly Tier[], host: Host): Requirement[] {
  return REQUIREMENTS.filter((requirement) => requirement.tiers.some((tier) => tiers.includes(tier)) && !host.hasCommand(requirement.command));
}

function packagesOf(requirements: readonly Requirement[]): string[] {
  return [...new Set(requirements.map((requirement) => requirement.debianPackage))];
}

function describe(requirements: readonly Requirement[]): string {
  return requirements
    .map((requirement) => `  ${requirement.command} (Debian package ${requirement.debianPackage}): ${requirement.usedBy}`)
    .join('\n');
}

/** Why these tiers cannot run on this machine whatever is installed, one reason a line. */
function machineProblems(tiers: readonly Tier[], host: Host): string[] {
  const problems: string[] = [];
  const rootTiers = tiers.filter((tier) => ROOT_TIERS.has(tier));
  if (rootTiers.length > 0 && !host.isRoot) {
    problems.push(
      `the ${rootTiers.join(' and ')} tests need root (FUSE and tmpfs mounts, a systemd container, other users): run them as root, e.g. sudo npm run test:e2e`,
    );
  }
  if (tiers.some((tier) => FUSE_TIERS.has(tier)) && !host.hasFuseDevice) {
    problems.push(
      '/dev/fuse is missing or not open to this user: as root, load the fuse module (modprobe fuse), or start the container with --device /dev/fuse --cap-add SYS_ADMIN',
    );
  }
  return problems;
}

async function apt(host: Host, args: readonly string[]): Promise<void> {
  const code = await host.run(['apt-get', ...args]);
  if (code !== 0) throw new TestDepsError(`apt-get ${args.join(' ')} exited ${code}`);
}

export async function ensureTestDeps(tiers: readonly Tier[], host: Host): Promise<void> {
  const missing = missingFor(tiers, host);
  const packages = packagesOf(missing);
  const problems = machineProblems(tiers, host);
  if (missing.length > 0 && !(host.isRoot && host.hasApt)) {
    const how = host.hasApt ? 'As root, run' : 'This machine has no apt-get; install what provides them, on Debian';
    problems.unshift(`the ${tiers.join(' and ')} tests run programs this machine lacks:\n${describe(missing)}\n${how}:\n  ${installLine(packages)}`);
  }
  if (problems.length > 0) throw new TestDepsError(problems.join('\n'));
  if (missing.length === 0) return;

  host.say(`installing what the ${tiers.join(' and ')} tests need:\n${describe(missing)}`);
  await apt(host, ['update', '-q']);
  await apt(host, ['install', '-y', '-q', '--no-install-recommends', ...packages]);
  const still = missingFor(tiers, host);
  if (still.length > 0) {
    throw new TestDepsError(`after installing ${packages.join(' ')}, these are still not on the PATH:\n${describe(still)}`);
  }
}
