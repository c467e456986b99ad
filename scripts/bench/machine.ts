/** The machine a run measured, for the report: figures mean little without it. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { fileSystemTypeOf } from '../../src/library/mounts.js';

export interface MachineInfo {
  readonly cpu: string;
  readonly cores: number;
  readonly ramBytes: number;
  readonly kernel: string;
  readonly node: string;
  readonly tempDir: string;
  /** The filesystem of the temp dir, where every benchmark writes: type, device and mount options when known. */
  readonly tempFileSystem: string;
  /** What else about the machine shapes the figures: virtualisation, proactive memory reclaim. */
  readonly notes: readonly string[];
}

export async function describeMachine(): Promise<MachineInfo> {
  const cpus = os.cpus();
  const tempDir = os.tmpdir();
  return {
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    ramBytes: os.totalmem(),
    kernel: `${os.type()} ${os.release()}`,
    node: process.version,
    tempDir,
    tempFileSystem: mountDescription(tempDir) ?? (await fileSystemTypeOf(tempDir)),
    notes: machineNotes(),
  };
}

function readOrUndefined(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** Linux only; elsewhere there is nothing to say. */
function machineNotes(): string[] {
  const notes: string[] = [];
  if (/^flags\s*:.*\bhypervisor\b/m.test(readOrUndefined('/proc/cpuinfo') ?? '')) {
    notes.push('a virtual machine: CPU time and fresh memory depend on the host and its other guests');
  }
  if (readOrUndefined('/sys/kernel/mm/damon/admin/kdamonds/0/state')?.trim() === 'on') {
    notes.push(
      'DAMON proactive reclaim is on (kdamond): pages left untouched for a few seconds are paged out, so a file is hot only if it was read just before',
    );
  }
  return notes;
}

/** `ext4 on /dev/vda (rw,relatime,discard)` through util-linux's findmnt, where it exists. */
function mountDescription(dir: string): string | undefined {
  try {
    const [type, source, options] = execFileSync('findmnt', ['-n', '-o', 'FSTYPE,SOURCE,OPTIONS', '--target', dir], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    })
      .trim()
      .split(/\s+/);
    return type === undefined ? undefined : `${type} on ${source ?? '?'} (${options ?? ''})`;
  } catch {
    return undefined;
  }
}

/** The 1-minute load average: other work on the machine skews every figure, so the report shows it. */
export function loadAverage(): string {
  return os
    .loadavg()
    .map((load) => load.toFixed(2))
    .join(' / ');
}
