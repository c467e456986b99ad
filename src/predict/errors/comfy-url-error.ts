import { ArenaError } from '../../core/arena-error.js';

/** The ComfyUI address given for queue watching is no http(s) URL. */
export class ComfyUrlError extends ArenaError {
  constructor(url: string, options?: { cause?: unknown }) {
    super(
      'E_COMFY_URL',
      `the ComfyUI address ${JSON.stringify(url)} is not an http(s) URL; set comfy.url (ARENA_COMFY_URL) to where ComfyUI listens, such as http://127.0.0.1:8188`,
      options,
    );
    this.name = 'ComfyUrlError';
  }
}
