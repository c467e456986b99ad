import { ArenaError } from '../../core/arena-error.js';

/** `extra_model_paths.yaml` cannot be edited safely: not valid YAML, or not a mapping of sections. */
export class ModelPathsFileError extends ArenaError {
  readonly file: string;

  constructor(file: string, problem: string, options?: { cause?: unknown }) {
    super('E_MODEL_PATHS', `${file} ${problem}; fix it by hand first (ComfyUI would not read it either), then run this again`, options);
    this.name = 'ModelPathsFileError';
    this.file = file;
  }
}
