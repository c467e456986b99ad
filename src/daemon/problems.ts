/**
 * The daemon's own list of what is wrong right now, each under a stable id so
 * that a problem is reported once and cleared when it goes away. Any problem
 * makes the state `degraded`.
 */
export class Problems {
  readonly #messages = new Map<string, string>();

  /** Records a problem; true when it is new or changed (worth a log line). */
  set(id: string, message: string): boolean {
    const changed = this.#messages.get(id) !== message;
    this.#messages.set(id, message);
    return changed;
  }

  /** True when the problem was there. */
  clear(id: string): boolean {
    return this.#messages.delete(id);
  }

  get(id: string): string | undefined {
    return this.#messages.get(id);
  }

  list(): string[] {
    return [...this.#messages.values()];
  }
}
