import { z } from 'zod';
import type { CatalogView } from '../../core/catalog-view.js';
import { resolveWorkflow } from '../../core/resolve.js';
import type { ParsedWorkflow } from '../../core/workflow/index.js';
import type { CommandDefinition } from '../command-registry.js';
import type { ResolutionResult } from '../results.js';

const modelRef = z
  .object({
    category: z.string().max(256).nullable(),
    name: z.string().min(1).max(4096),
    nodeId: z.string().max(1024),
    nodeType: z.string().max(1024),
    input: z.string().max(1024).optional(),
    via: z.enum(['loader', 'embedding', 'taesd', 'custom']),
  })
  .strict();

const workflow = z
  .object({
    format: z.enum(['ui', 'api']),
    container: z.enum(['json', 'png', 'webp']),
    refs: z.array(modelRef).max(20_000),
    inactive: z.array(modelRef).max(20_000),
    warnings: z.array(z.string().max(4096)).max(1000),
  })
  .strict();

/**
 * Resolves references that arenactl parsed from a workflow against the
 * daemon's live catalog. The client parses: the daemon never opens a file
 * path that a request names.
 */
export function resolveCommand(catalog: () => CatalogView): CommandDefinition<{ workflow: ParsedWorkflow }> {
  return {
    name: 'resolve',
    summary: "Resolve a parsed workflow's model references against the library catalog.",
    args: z.object({ workflow }).strict(),
    run: ({ workflow: parsed }): ResolutionResult => resolveWorkflow(parsed, catalog()),
  };
}
