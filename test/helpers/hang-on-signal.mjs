// TEST ONLY, never shipped: preloaded into a daemon with NODE_OPTIONS=--import=<this file>.
// On SIGUSR2 the event loop is blocked for HANG_SECONDS (default 60), as a hung daemon's would be,
// so that a test can see systemd's watchdog kill and restart it. Atomics.wait blocks the thread
// without spinning the CPU.
process.on('SIGUSR2', () => {
  const seconds = Number(process.env.HANG_SECONDS ?? '60');
  process.stderr.write(`test hook: blocking the event loop for ${seconds} s\n`);
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, seconds * 1000);
});
