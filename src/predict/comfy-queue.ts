/**
 * Reads ComfyUI's `GET /queue` answer: `{queue_running, queue_pending}`, each
 * a list of `[number, prompt_id, prompt (API format), extra_data, outputs]`.
 * The answer comes from another program over the network: nothing in it is
 * trusted, and one bad item does not spoil the others.
 */

export interface QueueEntry {
  readonly promptId: string;
  /** The API-format prompt, as queued. */
  readonly prompt: Record<string, unknown>;
}

export interface QueueSnapshot {
  readonly running: QueueEntry[];
  readonly pending: QueueEntry[];
  /** One line for each item that was skipped. */
  readonly malformed: string[];
}

const LISTS = { running: 'queue_running', pending: 'queue_pending' } as const;

/** The queue's entries, or undefined when the answer is no ComfyUI queue at all. */
export function readQueueAnswer(answer: unknown): QueueSnapshot | undefined {
  if (!isRecord(answer)) return undefined;
  const running = answer[LISTS.running];
  const pending = answer[LISTS.pending];
  if (!Array.isArray(running) || !Array.isArray(pending)) return undefined;
  const malformed: string[] = [];
  return {
    running: readEntries(running, LISTS.running, malformed),
    pending: readEntries(pending, LISTS.pending, malformed),
    malformed,
  };
}

function readEntries(items: unknown[], list: string, malformed: string[]): QueueEntry[] {
  const entries: QueueEntry[] = [];
  items.forEach((item, index) => {
    const fields: readonly unknown[] = Array.isArray(item) ? item : [];
    const promptId = fields[1];
    const prompt = fields[2];
    if (typeof promptId === 'string' && promptId !== '' && isRecord(prompt)) entries.push({ promptId, prompt });
    else malformed.push(`${list}[${index}] is not [number, prompt_id, prompt, ...]`);
  });
  return entries;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
