import test from 'ava';
import { readQueueAnswer } from '../../src/predict/comfy-queue.js';

test('queue entries are read from both lists, and each malformed item is named', (t) => {
  const prompt = { '1': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'a.safetensors' } } };
  const snapshot = readQueueAnswer({
    queue_running: [[0, 'run-1', prompt, {}, ['9']]],
    queue_pending: [[1, 'p-1', prompt, {}, []], null, [2, 42, prompt], [3, 'p-3', [1, 2]], [4, 'p-4', prompt]],
  });
  t.deepEqual(snapshot, {
    running: [{ promptId: 'run-1', prompt }],
    pending: [
      { promptId: 'p-1', prompt },
      { promptId: 'p-4', prompt },
    ],
    malformed: [
      'queue_pending[1] is not [number, prompt_id, prompt, ...]',
      'queue_pending[2] is not [number, prompt_id, prompt, ...]',
      'queue_pending[3] is not [number, prompt_id, prompt, ...]',
    ],
  });
});

test('an answer without both lists is no ComfyUI queue', (t) => {
  for (const answer of [null, [], 'queue', { queue_running: [] }, { queue_running: {}, queue_pending: [] }]) {
    t.is(readQueueAnswer(answer), undefined);
  }
  t.deepEqual(readQueueAnswer({ queue_running: [], queue_pending: [] }), { running: [], pending: [], malformed: [] });
});
