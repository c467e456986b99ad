/**
 * A ComfyUI as users of the old in-process AutoCache nodes left it: a NAS
 * library, the env file of one era of the nodes, their cache in either
 * layout with stray locks and partial copies, and optionally the old custom
 * node itself.
 */
import fs from 'node:fs';
import path from 'node:path';
import { writeModel } from './model-files.js';

export interface LegacyComfy {
  readonly home: string;
  readonly comfy: string;
  readonly nas: string;
  /** The old nodes' default cache root, `<comfy>/models/arena_cache`. */
  readonly oldCache: string;
  readonly envFile: string;
  /** Where `--config` points: never the machine's own config files. */
  readonly configFile: string;
}

/** `comfyDir` relative to home; `ComfyUI` is where the daemon looks by default. */
export function legacyComfy(home: string, comfyDir = 'ComfyUI'): LegacyComfy {
  const comfy = path.join(home, comfyDir);
  fs.mkdirSync(path.join(comfy, 'models'), { recursive: true });
  fs.mkdirSync(path.join(comfy, 'custom_nodes'), { recursive: true });
  return {
    home,
    comfy,
    nas: path.join(home, 'nas'),
    oldCache: path.join(comfy, 'models', 'arena_cache'),
    envFile: path.join(comfy, 'user', 'arena_autocache.env'),
    configFile: path.join(home, 'cfg', 'arena.yaml'),
  };
}

export function writeText(file: string, text: string): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  return file;
}

/** The same bytes at another path: what the old nodes' copy of a NAS file is. */
export function copyOf(source: string, target: string): string {
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.copyFileSync(source, target);
  const { atime, mtime } = fs.statSync(source);
  fs.utimesSync(target, atime, mtime);
  return target;
}

/** A model of `bytes` random bytes in the NAS, laid out as `<folder>/<name>`. */
export function nasModel(legacy: LegacyComfy, relative: string, bytes: number): string {
  return writeModel(path.join(legacy.nas, relative), bytes);
}

/** The env file of each era of the old nodes, as their settings UI and docs wrote them. */
export const ENV_FILE_ERAS = {
  /** v1-v3: the first settings, categories with a mode, and the master switch. */
  early: (cacheRoot: string) =>
    [
      '# Arena AutoCache Environment Settings',
      '# Generated automatically - do not edit manually',
      '',
      `ARENA_CACHE_ROOT=${cacheRoot}`,
      'ARENA_CACHE_MIN_SIZE_MB=50',
      'ARENA_CACHE_MAX_GB=100',
      'ARENA_CACHE_VERBOSE=1',
      'ARENA_CACHE_CATEGORIES=checkpoints,loras',
      'ARENA_CACHE_CATEGORIES_MODE=override',
      'ARENA_AUTO_CACHE_ENABLED=1',
      'ARENA_AUTOCACHE_AUTOPATCH=1',
      '',
    ].join('\n'),
  /** v4: cache modes, the NAS root, sizes in GB, both switches. */
  middle: (nas: string) =>
    [
      '# Arena AutoCache Configuration',
      'ARENA_CACHE_MODE=ondemand',
      'ARENA_AUTO_CACHE_ENABLED=0',
      'ARENA_CACHE_ENABLE=true',
      'ARENA_CACHE_MIN_SIZE_GB=1',
      `ARENA_NAS_ROOT=${nas}`,
      'ARENA_CACHE_CATEGORIES=gguf_models,clip',
      'ARENA_CACHE_CATEGORIES_MODE=extend',
      '',
    ].join('\n'),
  /** v5: concurrency, discovery and prefetch strategies, written on Windows. */
  late: () =>
    [
      'ARENA_CACHE_ROOT=D:\\ComfyUI\\arena_cache',
      'ARENA_CACHE_MAX_CONCURRENCY=4',
      'ARENA_CACHE_DISCOVERY=workflow',
      'ARENA_CACHE_PREFETCH_STRATEGY=parallel',
      'ARENA_AUTOCACHE_AUTOPATCH_TIMEOUT_S=30',
      'ARENA_CACHE_VERBOSE=0',
      'ARENA_DISABLE_PATH_PATCHING=1',
      'ARENA_CACHE_MAX_GB=lots',
      '',
    ].join('\n'),
} as const;

/** The old custom node as it sat in custom_nodes/: a package whose Python reads ARENA_AUTO_CACHE_ENABLED. */
export function oldCustomNode(legacy: LegacyComfy, folder = 'ComfyUI-Arena'): string {
  const dir = path.join(legacy.comfy, 'custom_nodes', folder);
  writeText(path.join(dir, '__init__.py'), 'from .autocache.arena_auto_cache_simple import NODE_CLASS_MAPPINGS\n');
  writeText(
    path.join(dir, 'autocache', 'arena_auto_cache_simple.py'),
    [
      'import os',
      'class ArenaAutoCacheSimple:',
      '    pass',
      'def enabled():',
      '    return os.environ.get("ARENA_AUTO_CACHE_ENABLED", "true").lower() in ("true", "1", "yes")',
      'NODE_CLASS_MAPPINGS = {"ArenaAutoCacheSimple": ArenaAutoCacheSimple}',
      '',
    ].join('\n'),
  );
  return dir;
}

/** Every file under a folder with its size, to show that a dry run changed nothing. */
export function treeSnapshot(root: string): Record<string, number> {
  const files: Record<string, number> = {};
  if (!fs.existsSync(root)) return files;
  for (const entry of fs.readdirSync(root, { recursive: true, withFileTypes: true })) {
    const full = path.join(entry.parentPath, entry.name);
    files[path.relative(root, full)] = entry.isFile() ? fs.statSync(full).size : -1;
  }
  return files;
}
