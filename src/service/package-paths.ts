/**
 * Where this package and its Node live, as absolute paths for the unit files:
 * a service manager starts the daemon with no PATH and no working folder of
 * ours, so nothing may be relative.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface PackagePaths {
  /** The package folder (a checkout, or node_modules/comfyui-arena). */
  readonly root: string;
  /** The Node binary the service runs. */
  readonly node: string;
  /** `dist/daemon/main.js`: the built daemon. */
  readonly daemonEntry: string;
  /** `units/`: the unit and plist templates. */
  readonly unitsDir: string;
  /** `service/`: the OS side of the system install (sysusers.d and tmpfiles.d entries). */
  readonly serviceDir: string;
  /** INSTALL.md, named in the units' Documentation=. */
  readonly installDoc: string;
}

/** This file sits in src/service/ or dist/service/, two levels below the package root. */
export function packagePaths(node: string = process.execPath): PackagePaths {
  const root = fileURLToPath(new URL('../../', import.meta.url)).replace(/\/$/, '');
  return {
    root,
    node,
    daemonEntry: path.join(root, 'dist', 'daemon', 'main.js'),
    unitsDir: path.join(root, 'units'),
    serviceDir: path.join(root, 'service'),
    installDoc: path.join(root, 'INSTALL.md'),
  };
}
