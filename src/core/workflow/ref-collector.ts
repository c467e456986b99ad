import type { ModelRef } from './model-ref.js';

/**
 * Gathers references in workflow order. The only dedup at parse level is the
 * identical (nodeId, input, name) triple: a node that names the same file
 * twice in one widget (an embedding repeated in a prompt) counts once.
 */
export class RefCollector {
  readonly refs: ModelRef[] = [];
  readonly inactive: ModelRef[] = [];
  readonly warnings: string[] = [];
  private readonly seen = new Set<string>();
  private readonly warned = new Set<string>();

  add(ref: ModelRef, active: boolean): void {
    const key = `${active ? 'a' : 'i'}\u0000${ref.nodeId}\u0000${ref.input ?? ''}\u0000${ref.name}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    (active ? this.refs : this.inactive).push(ref);
  }

  warn(message: string): void {
    if (this.warned.has(message)) return;
    this.warned.add(message);
    this.warnings.push(message);
  }
}
