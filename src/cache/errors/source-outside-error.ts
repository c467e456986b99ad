import { ArenaError } from '../../core/arena-error.js';

/**
 * A library file whose real path, after every symlink, lies outside its
 * library folders: a link on a shared NAS to `/etc/shadow`, or to another
 * user's files. It is never copied, so the cache cannot hand out what the
 * library did not hold.
 */
export class SourceOutsideError extends ArenaError {
  constructor(source: string, real: string, bounds: readonly string[]) {
    super(
      'E_PATH',
      `${source} leads outside its library folders (${bounds.join(', ')}) to ${real}; it is not copied. Replace the link with the file, or link to a file inside the library`,
    );
    this.name = 'SourceOutsideError';
  }
}
