import { ArenaError } from '../arena-error.js';

/**
 * A file or value that cannot be read as a ComfyUI workflow. The message is a
 * single line giving the reason ("empty file", "truncated JSON at byte 1234");
 * the caller knows the path and adds it.
 */
export class WorkflowError extends ArenaError {
  constructor(reason: string, options?: { cause?: unknown }) {
    super('E_WORKFLOW', oneLine(reason), options);
    this.name = 'WorkflowError';
  }
}

/** Reasons can quote file content; a log line and a socket reply need them on one line. */
function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
