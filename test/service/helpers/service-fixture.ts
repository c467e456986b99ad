import fs from 'node:fs';
import path from 'node:path';
import { packagePaths } from '../../../src/service/package-paths.js';
import type { ServiceContext } from '../../../src/service/service-context.js';
import type { SystemLayout } from '../../../src/service/service-layout.js';
import { testPlatform } from '../../helpers/platform.js';
import { fakeRunner, type FakeRunner } from './fake-runner.js';

export interface ServiceFixture {
  readonly context: ServiceContext;
  readonly runner: FakeRunner;
  /** Where the fixture's "system" files go: etc/, var/ under the temp folder. */
  readonly system: SystemLayout;
}

export interface FixtureOptions {
  readonly runner?: FakeRunner;
  readonly uid?: number;
  readonly os?: NodeJS.Platform;
  readonly env?: NodeJS.ProcessEnv;
  /** Leave out the built daemon, as in a checkout that was never built. */
  readonly unbuilt?: boolean;
}

/**
 * A service context rooted in a temp folder: the package (with a stand-in
 * built daemon) and every system path live there, the templates are the
 * real ones from units/, and no command really runs.
 */
export function serviceFixture(base: string, options: FixtureOptions = {}): ServiceFixture {
  const real = packagePaths();
  const root = path.join(base, 'package');
  const daemonEntry = path.join(root, 'dist', 'daemon', 'main.js');
  if (!options.unbuilt) {
    fs.mkdirSync(path.dirname(daemonEntry), { recursive: true });
    fs.writeFileSync(daemonEntry, '// the built daemon\n');
  }
  const system: SystemLayout = {
    unitFile: path.join(base, 'etc', 'systemd', 'system', 'arenad.service'),
    sysusersFile: path.join(base, 'etc', 'sysusers.d', 'arena.conf'),
    tmpfilesFile: path.join(base, 'etc', 'tmpfiles.d', 'arena.conf'),
    configFile: path.join(base, 'etc', 'arena', 'config.yaml'),
    socket: '/run/arena/arenad.sock',
    stateDir: path.join(base, 'var', 'lib', 'arena'),
    cacheDir: path.join(base, 'var', 'cache', 'arena'),
    user: 'arena',
    group: 'arena',
  };
  const home = path.join(base, 'home');
  fs.mkdirSync(home, { recursive: true });
  const runner = options.runner ?? fakeRunner();
  const platform = { ...testPlatform(home, { USER: 'alice', ...options.env }), uid: options.uid ?? 1000 };
  return {
    runner,
    system,
    context: {
      platform,
      os: options.os ?? 'linux',
      runner,
      paths: { ...real, root, daemonEntry, node: process.execPath },
      system,
      now: () => new Date('2025-01-02T03:04:05.678Z'),
    },
  };
}
