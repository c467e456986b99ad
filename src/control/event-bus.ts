import { topicMatches, type EventMessage } from './protocol.js';

type Listener = (event: EventMessage) => void;

/**
 * Where the daemon publishes what happens (prefetch progress, evictions,
 * updates) for `subscribe` streams. Services do not know about it: the
 * daemon's wiring forwards their own events here.
 */
export class EventBus {
  readonly #subscribers = new Map<Listener, readonly string[]>();

  publish(event: EventMessage): void {
    for (const [listener, topics] of this.#subscribers) {
      if (topicMatches(topics, event.event)) listener(event);
    }
  }

  /** Returns the function that ends the subscription. */
  subscribe(topics: readonly string[], listener: Listener): () => void {
    this.#subscribers.set(listener, topics);
    return () => {
      this.#subscribers.delete(listener);
    };
  }

  get subscriberCount(): number {
    return this.#subscribers.size;
  }
}
