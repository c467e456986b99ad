/**
 * What each test tier runs that a fresh Debian machine may not have. The unit
 * tier needs nothing beyond Node and `npm ci`, so it has no entry here; the
 * commands of Debian's essential packages (util-linux, bsdutils, coreutils,
 * mount, tar) are always there and are not listed either.
 */

export type Tier = 'journeys' | 'e2e';

export const TIERS: readonly Tier[] = ['journeys', 'e2e'];

export interface Requirement {
  /** A program a test runs, looked up on the PATH. */
  readonly command: string;
  /** The Debian package that installs it. */
  readonly debianPackage: string;
  /** Which tests run it, for the message that asks for it. */
  readonly usedBy: string;
  readonly tiers: readonly Tier[];
}

export const REQUIREMENTS: readonly Requirement[] = [
  { command: 'pgrep', debianPackage: 'procps', usedBy: 'the logs journey (the tail under `arenactl logs -f` must end)', tiers: ['journeys'] },
  { command: 'pkill', debianPackage: 'procps', usedBy: 'the NAS fault test (the FUSE process dies)', tiers: ['e2e'] },
  { command: 'bindfs', debianPackage: 'bindfs', usedBy: 'the FUSE mount that stands in for a NAS (no inotify events, like NFS/SMB)', tiers: ['e2e'] },
  { command: 'fusermount', debianPackage: 'fuse3', usedBy: 'unmounting the FUSE NAS', tiers: ['e2e'] },
  { command: 'systemd-analyze', debianPackage: 'systemd', usedBy: 'the unit file checks (verify, security)', tiers: ['e2e'] },
  {
    command: 'systemd-nspawn',
    debianPackage: 'systemd-container',
    usedBy: 'the service tests, which boot a real systemd in a container',
    tiers: ['e2e'],
  },
  { command: 'promtool', debianPackage: 'prometheus', usedBy: 'the scrape lint and the PromQL of docs/monitoring.md', tiers: ['e2e'] },
  { command: 'prometheus', debianPackage: 'prometheus', usedBy: 'the Prometheus server that scrapes a real daemon', tiers: ['e2e'] },
  { command: 'python3', debianPackage: 'python3', usedBy: 'the ComfyUI nodes’ unittest suite (test/python/)', tiers: ['e2e'] },
];

export function requirementsOf(tier: Tier): readonly Requirement[] {
  return REQUIREMENTS.filter((requirement) => requirement.tiers.includes(tier));
}
