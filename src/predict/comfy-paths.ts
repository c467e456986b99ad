/** Which files of a ComfyUI install the prediction triggers look at. */
import path from 'node:path';

/**
 * True for a saved workflow: `<userDir>/<user>/workflows/**\/*.json`. The
 * frontend's temp files (`tmpXXXXXXXX`) have no extension and are left out,
 * and so are dot-files (`._x.json`, which macOS leaves on network shares).
 */
export function isSavedWorkflowFile(userDir: string, file: string): boolean {
  const relative = path.relative(userDir, file);
  if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative)) return false;
  const parts = relative.split(path.sep);
  const name = parts.at(-1) ?? '';
  return parts.length >= 3 && parts[1] === 'workflows' && !name.startsWith('.') && /\.json$/i.test(name);
}

/** True for an image ComfyUI's savers write, which carries the workflow that made it. */
export function isOutputImageFile(file: string): boolean {
  return !path.basename(file).startsWith('.') && /\.(png|webp)$/i.test(file);
}

/** `user/default/workflows/x.json`: a path relative to the comfy root, `/`-separated, for logs and origins. */
export function comfyRelativePath(comfyRoot: string, file: string): string {
  return path.relative(comfyRoot, file).split(path.sep).join('/');
}
