import type { CatalogView } from '../../core/catalog-view.js';
import { resolveWorkflow } from '../../core/resolve.js';
import { socketCommand } from '../command-registry.js';

/**
 * Resolves references that arenactl parsed from a workflow against the
 * daemon's live catalog. The client parses: the daemon never opens a file
 * path that a request names.
 */
export function resolveCommand(catalog: () => CatalogView) {
  return socketCommand('resolve', ({ workflow }) => resolveWorkflow(workflow, catalog()));
}
