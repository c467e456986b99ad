import fs from 'node:fs/promises';
import { ArenaError } from '../core/arena-error.js';
import { parseWorkflowBytes, WorkflowError, type ParsedWorkflow } from '../core/workflow/index.js';

/** Far beyond any real workflow or output image; refusing early avoids reading a model by mistake. */
const MAX_WORKFLOW_BYTES = 512 * 1024 * 1024;

/** Reads and parses a workflow, PNG or WebP; every failure is one line naming the file. */
export async function readWorkflowFile(file: string): Promise<ParsedWorkflow> {
  let bytes: Buffer;
  try {
    const stat = await fs.stat(file);
    if (!stat.isFile()) throw new ArenaError('E_WORKFLOW', `${file} is not a workflow: it is not a regular file`);
    if (stat.size > MAX_WORKFLOW_BYTES) {
      throw new ArenaError('E_WORKFLOW', `${file} is not a workflow: ${stat.size} bytes is far larger than any workflow or image`);
    }
    bytes = await fs.readFile(file);
  } catch (error) {
    if (error instanceof ArenaError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new ArenaError('E_NOT_FOUND', `no such file: ${file}`, { cause: error });
    const reason = code === 'EACCES' ? 'permission denied' : String(error);
    throw new ArenaError('E_NOT_FOUND', `cannot read ${file}: ${reason}`, { cause: error });
  }
  try {
    return parseWorkflowBytes(bytes);
  } catch (error) {
    if (error instanceof WorkflowError) throw new WorkflowError(`${file} is not a workflow: ${withoutVerdict(error.message)}`, { cause: error });
    throw error;
  }
}

/** The parser's reasons may open with "not a workflow: " themselves; this file's message says it once. */
function withoutVerdict(reason: string): string {
  return reason.replace(/^not a workflow: /, '');
}
