import test from 'ava';
import { isDirectIoAligned, pumpChunks } from '../../src/cache/chunk-pump.js';

function fakeFile(data: Buffer, maxPerRead = Infinity) {
  return (buffer: Buffer, position: number): Promise<number> => {
    const bytes = Math.max(0, Math.min(buffer.length, maxPerRead, data.length - position));
    data.copy(buffer, 0, position, position + bytes);
    return Promise.resolve(bytes);
  };
}

test('every byte reaches the consumer once, in order, even with short reads', async (t) => {
  const data = Buffer.from(Array.from({ length: 1000 }, (_, index) => index % 251));
  const seen: Buffer[] = [];
  const positions: number[] = [];
  const bytes = await pumpChunks({
    totalBytes: data.length,
    chunkBytes: 128,
    depth: 3,
    read: fakeFile(data, 50),
    consume: async (chunk, position) => {
      positions.push(position);
      seen.push(Buffer.from(chunk));
      await new Promise((resolve) => setImmediate(resolve));
    },
  });
  t.is(bytes, 1000);
  t.true(Buffer.concat(seen).equals(data));
  t.deepEqual(positions, [0, 128, 256, 384, 512, 640, 768, 896]);
  t.true(seen.every((chunk) => chunk.length === 128 || chunk.length === 1000 - 896));
});

test('a file that ends early gives the bytes it had', async (t) => {
  const data = Buffer.alloc(300, 1);
  const bytes = await pumpChunks({
    totalBytes: 1000,
    chunkBytes: 128,
    depth: 2,
    read: fakeFile(data),
    consume: () => Promise.resolve(),
  });
  t.is(bytes, 300);
});

test('a failing consumer stops the reads and rejects only after the chunks in flight settle', async (t) => {
  const data = Buffer.alloc(10_000, 1);
  let reads = 0;
  let inFlight = 0;
  let settledAfterFailure = false;
  const failure = new Error('disk full');
  await t.throwsAsync(
    pumpChunks({
      totalBytes: data.length,
      chunkBytes: 100,
      depth: 4,
      read: async (buffer, position) => {
        reads += 1;
        return fakeFile(data)(buffer, position);
      },
      consume: async (_chunk, position) => {
        inFlight += 1;
        await new Promise((resolve) => setTimeout(resolve, position === 0 ? 1 : 20));
        inFlight -= 1;
        if (position === 0) throw failure;
        settledAfterFailure = true;
      },
    }),
    { is: failure },
  );
  t.is(inFlight, 0, 'no consumer still running when the pump rejects');
  t.true(settledAfterFailure);
  t.true(reads < 100, `stopped reading after ${reads} of 100 chunks`);
});

test('buffers are reused: at most depth chunks are alive at once', async (t) => {
  const data = Buffer.alloc(4096, 3);
  const buffers = new Set<ArrayBufferLike>();
  let alive = 0;
  let maxAlive = 0;
  await pumpChunks({
    totalBytes: data.length,
    chunkBytes: 256,
    depth: 3,
    read: fakeFile(data),
    consume: async (chunk) => {
      buffers.add(chunk.buffer);
      t.true(chunk.buffer instanceof SharedArrayBuffer);
      alive += 1;
      maxAlive = Math.max(maxAlive, alive);
      await new Promise((resolve) => setImmediate(resolve));
      alive -= 1;
    },
  });
  t.is(buffers.size, 3);
  t.true(maxAlive <= 3);
});

test('aligned buffers: chunks share one page-aligned shared memory, full chunks qualify for O_DIRECT, data arrives intact', async (t) => {
  const data = Buffer.from(Array.from({ length: 3 * 65536 + 100 }, (_, index) => (index * 7) % 256));
  const seen: Buffer[] = [];
  const aligned: boolean[] = [];
  const memories = new Set<ArrayBufferLike>();
  await pumpChunks({
    totalBytes: data.length,
    chunkBytes: 65536,
    depth: 2,
    alignedBuffers: true,
    read: fakeFile(data),
    consume: async (chunk) => {
      t.true(chunk.buffer instanceof SharedArrayBuffer, 'a worker can still hash it without a copy');
      memories.add(chunk.buffer);
      aligned.push(isDirectIoAligned(chunk));
      seen.push(Buffer.from(chunk));
      await new Promise((resolve) => setImmediate(resolve));
    },
  });
  t.true(Buffer.concat(seen).equals(data));
  t.deepEqual(aligned, [true, true, true, false], 'the 100-byte tail is not a whole block');
  t.is(memories.size, 1);
});

test('only whole blocks of the aligned memory qualify for O_DIRECT', async (t) => {
  t.false(isDirectIoAligned(Buffer.from(new SharedArrayBuffer(65536))), 'a SharedArrayBuffer starts wherever malloc put it');
  t.false(isDirectIoAligned(Buffer.alloc(65536)));
  const oddChunks: boolean[] = [];
  await pumpChunks({
    totalBytes: 20_000,
    chunkBytes: 5000,
    depth: 4,
    alignedBuffers: true,
    read: fakeFile(Buffer.alloc(20_000, 1)),
    consume: (chunk) => {
      oddChunks.push(isDirectIoAligned(chunk));
      return Promise.resolve();
    },
  });
  t.deepEqual(oddChunks, [false, false, false, false], 'chunks of 5000 bytes are not whole 4096-byte blocks');
  const plainChunks: boolean[] = [];
  await pumpChunks({
    totalBytes: 65536 * 2,
    chunkBytes: 65536,
    depth: 2,
    read: fakeFile(Buffer.alloc(65536 * 2, 1)),
    consume: (chunk) => {
      plainChunks.push(isDirectIoAligned(chunk));
      return Promise.resolve();
    },
  });
  t.deepEqual(plainChunks, [false, false], 'without alignedBuffers the pump reads into ordinary shared memory');
});
