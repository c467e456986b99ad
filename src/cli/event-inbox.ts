import type { EventMessage } from '../control/protocol.js';

/**
 * Holds pushed events until a handler is attached, then delivers them in
 * order: a command subscribes before it asks for work, and starts following
 * the work only once it knows what to follow.
 */
export class EventInbox {
  #buffer: EventMessage[] = [];
  #handler?: (event: EventMessage) => void;

  receive(event: EventMessage): void {
    if (this.#handler) this.#handler(event);
    else this.#buffer.push(event);
  }

  attach(handler: (event: EventMessage) => void): void {
    this.#handler = handler;
    for (const event of this.#buffer.splice(0)) handler(event);
  }
}
