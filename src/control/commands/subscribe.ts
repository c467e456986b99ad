import { socketCommand } from '../command-registry.js';
import type { EventBus } from '../event-bus.js';

/** Streams matching events to the client until it closes the connection. */
export function subscribeCommand(bus: EventBus) {
  return socketCommand('subscribe', ({ topics }, context) => {
    context.keepOpen();
    const unsubscribe = bus.subscribe(topics, (event) => {
      if (!context.push(event)) unsubscribe();
    });
    context.signal.addEventListener('abort', unsubscribe, { once: true });
    return { subscribed: topics.length > 0 ? topics : ['*'] };
  });
}
