/**
 * Which paths a rendered unit's sandbox hides from the service, read from
 * the settings the unit actually has, so the check follows the templates
 * in units/ (and any later change to them) instead of a list of its own.
 * What each setting hides is systemd's meaning, from systemd.exec(5):
 * ProtectSystem= and ProtectHome=read-only only make paths read-only, which
 * a daemon that merely runs from them does not mind.
 */
import fs from 'node:fs';
import { isWithin } from '../library/paths.js';
import type { PackagePaths } from './package-paths.js';
import { unitSection, unitWords } from './unit-settings.js';

export interface HidingSetting {
  /** The assignment as it stands in the unit, e.g. `PrivateTmp=yes`. */
  readonly setting: string;
  /** What it does to the path, for the message. */
  readonly effect: string;
  readonly trees: readonly string[];
}

const TRUE_WORDS = new Set(['yes', 'true', 'on', '1']);
/** ProtectHome='s trees (systemd.exec(5)). */
const HOME_TREES = ['/home', '/root', '/run/user'];

function lastValue(settings: Map<string, string[]>, key: string): string | undefined {
  return settings.get(key)?.at(-1)?.trim().toLowerCase();
}

/** A path word of InaccessiblePaths= and the like, without its `-` (ignore if missing) and `+` (relative to the root) prefixes. */
function pathWord(word: string): string {
  return word.replace(/^[-+]+/, '').replace(/%%/g, '%');
}

/** The settings of the unit's [Service] section that hide paths, with the trees each hides. */
export function hidingSettings(unitText: string): HidingSetting[] {
  const settings = unitSection(unitText, 'Service');
  const hiding: HidingSetting[] = [];
  const privateTmp = lastValue(settings, 'PrivateTmp');
  if (privateTmp !== undefined && (TRUE_WORDS.has(privateTmp) || privateTmp === 'disconnected')) {
    hiding.push({ setting: `PrivateTmp=${privateTmp}`, effect: 'gives the service its own empty /tmp and /var/tmp', trees: ['/tmp', '/var/tmp'] });
  }
  const protectHome = lastValue(settings, 'ProtectHome');
  if (protectHome !== undefined && (TRUE_WORDS.has(protectHome) || protectHome === 'tmpfs')) {
    hiding.push({ setting: `ProtectHome=${protectHome}`, effect: 'makes /home, /root and /run/user empty for the service', trees: HOME_TREES });
  }
  const privateDevices = lastValue(settings, 'PrivateDevices');
  if (privateDevices !== undefined && TRUE_WORDS.has(privateDevices)) {
    hiding.push({ setting: `PrivateDevices=${privateDevices}`, effect: 'gives the service a /dev of its own, with an empty /dev/shm', trees: ['/dev'] });
  }
  for (const value of settings.get('InaccessiblePaths') ?? []) {
    for (const word of unitWords(value)) {
      hiding.push({ setting: `InaccessiblePaths=${word}`, effect: 'makes it inaccessible to the service', trees: [pathWord(word)] });
    }
  }
  for (const value of settings.get('TemporaryFileSystem') ?? []) {
    for (const word of unitWords(value)) {
      hiding.push({ setting: `TemporaryFileSystem=${word}`, effect: 'mounts an empty file system over it', trees: [pathWord(word).split(':')[0]!] });
    }
  }
  return hiding;
}

/** Paths a Bind(ReadOnly)Paths= entry shows again inside the service, whatever hides their tree. */
function boundPaths(unitText: string): string[] {
  const settings = unitSection(unitText, 'Service');
  return ['BindPaths', 'BindReadOnlyPaths'].flatMap((key) =>
    (settings.get(key) ?? []).flatMap((value) => unitWords(value).map((word) => {
      const [source, destination] = pathWord(word).split(':');
      return destination || source!;
    })),
  );
}

/** The first setting of the unit that hides `file` from the service, if any. */
export function settingHiding(unitText: string, file: string): HidingSetting | undefined {
  if (boundPaths(unitText).some((bound) => isWithin(file, bound))) return undefined;
  return hidingSettings(unitText).find((hiding) => hiding.trees.some((tree) => isWithin(file, tree)));
}

/** A path the service must see, and what to do when its sandbox hides it. */
interface NeededPath {
  readonly file: string;
  readonly what: string;
  readonly remedy: string;
}

function withRealPath(file: string): string[] {
  try {
    const real = fs.realpathSync(file);
    return real === file ? [file] : [file, real];
  } catch {
    return [file];
  }
}

/**
 * Why the service could not start from these paths: one sentence per path
 * its unit hides, naming the path, the setting and what to do. Empty when the
 * unit leaves them all visible.
 */
export function hiddenDaemonPaths(unitText: string, unitName: string, paths: PackagePaths, installCommand: string): string[] {
  const needed: NeededPath[] = [
    {
      file: paths.daemonEntry,
      what: 'the daemon',
      remedy:
        'install the package where the service can see it: in the checkout run npm pack, then sudo npm install -g ./comfyui-arena-*.tgz ' +
        `(npm's global prefix, /usr/local with a system Node), and run ${installCommand} from that install (INSTALL.md)`,
    },
    {
      file: paths.node,
      what: 'Node',
      remedy: `use a Node installed outside it (Debian's nodejs, or one under /usr/local or /opt) to run ${installCommand}`,
    },
  ];
  const refusals: string[] = [];
  for (const item of needed) {
    for (const file of withRealPath(item.file)) {
      const hiding = settingHiding(unitText, file);
      if (!hiding) continue;
      refusals.push(`the service cannot run ${item.what} from ${file}: ${unitName} sets ${hiding.setting}, which ${hiding.effect}; ${item.remedy}`);
      break;
    }
  }
  return refusals;
}
