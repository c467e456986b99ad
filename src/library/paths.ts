import path from 'node:path';

/** True when `child` is `parent` or lies below it (both absolute and normalised). */
export function isWithin(child: string, parent: string): boolean {
  return child === parent || child.startsWith(parent.endsWith(path.sep) ? parent : `${parent}${path.sep}`);
}

/** The name of `target` relative to `dir`, with `/` separators as ComfyUI lists model names. */
export function relativeName(dir: string, target: string): string {
  return path.relative(dir, target).split(path.sep).join('/');
}
