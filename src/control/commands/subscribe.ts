import { z } from 'zod';
import type { CommandDefinition } from '../command-registry.js';
import type { EventBus } from '../event-bus.js';

const topic = z.string().min(1).max(128).regex(/^[\w.*-]+$/, 'a topic is a dotted name such as prefetch or prefetch.progress');

/** Streams matching events to the client until it closes the connection. */
export function subscribeCommand(bus: EventBus): CommandDefinition<{ topics: string[] }> {
  return {
    name: 'subscribe',
    summary: 'Stream events ({"event": ...} lines) for the given topics until the connection closes.',
    args: z.object({ topics: z.array(topic).max(64).default([]) }).strict(),
    run({ topics }, context) {
      context.keepOpen();
      const unsubscribe = bus.subscribe(topics, (event) => {
        if (!context.push(event)) unsubscribe();
      });
      context.signal.addEventListener('abort', unsubscribe, { once: true });
      return { subscribed: topics.length > 0 ? topics : ['*'] };
    },
  };
}
