/**
 * The helper thread of `KernelPool`, as plain JavaScript evaluated by `new Worker(…,
 * { eval: true })`: no file to resolve and no TypeScript loader needed, so it starts
 * the same under tsx, Node's type stripping, the test runner or a bundle.
 *
 * It instantiates the kernel module (a compiled `WebAssembly.Module`, shared with the
 * pool through workerData) over the pool's shared memory, raises its ready flag, then
 * sleeps (Atomics.wait) until the pool publishes a region of work, and claims chunks of
 * it exactly as the calling thread does (`claimChunks` below is the same code the pool
 * runs): compare-and-swap on the claim word, whose high 15 bits tag the region so a
 * late helper can never take a chunk of the next one. The control words and the
 * region's table are documented in kernelPool.ts.
 */

/**
 * `claimChunks(ctrl, table, kernels, tag, thread, words)`: claims and runs chunks of the
 * region tagged `tag` until none are left, as thread `thread` (0 the calling thread, 1 +
 * i helper i), adding `thread × stride` to the arguments the region marks per-thread
 * (each thread's own Gram matrix or scratch); returns how many it ran. A chunk that
 * throws is recorded in the error word (its index + 1) and still counted as finished. One source for the pool
 * (through `new Function`) and the helper, so both follow one protocol.
 */
export const CLAIM_CHUNKS_SOURCE = `
function claimChunks(ctrl, table, kernels, tag, thread, words) {
  const { CLAIM, COUNT, FINISHED, ERROR, CURRENT, HEADER, ARGS } = words;
  let ran = 0;
  for (;;) {
    const v = Atomics.load(ctrl, CLAIM);
    if (v >>> 16 !== tag) return ran;
    const i = v & 0xffff;
    if (i >= Atomics.load(ctrl, COUNT)) return ran;
    if (Atomics.compareExchange(ctrl, CLAIM, v, v + 1) !== v) continue;
    Atomics.store(ctrl, CURRENT + thread, i + 1);
    const kind = table[0];
    const argc = table[1];
    const mask = table[2];
    const stride = table[3];
    const args = [];
    for (let j = 0; j < argc; j++) args.push(table[HEADER + i * ARGS + j] + ((mask >>> j) & 1) * thread * stride);
    try {
      kernels[kind](...args);
    } catch {
      Atomics.compareExchange(ctrl, ERROR, 0, i + 1);
    }
    Atomics.store(ctrl, CURRENT + thread, 0);
    ran += 1;
    Atomics.add(ctrl, FINISHED, 1);
    Atomics.notify(ctrl, FINISHED);
  }
}
`;

export const KERNEL_WORKER_SOURCE = `
"use strict";
const { workerData, parentPort } = require("node:worker_threads");
const { memory, module, thread, names, words, controlBytes } = workerData;
${CLAIM_CHUNKS_SOURCE}
const { exports } = new WebAssembly.Instance(module, { env: { memory } });
const kernels = names.map((name) => exports[name]);
const ctrl = new Int32Array(memory.buffer, 0, words.HEADER_OFFSET / 4);
const table = new Float64Array(memory.buffer, words.HEADER_OFFSET, (controlBytes - words.HEADER_OFFSET) / 8);
let seen = Atomics.load(ctrl, words.SEQ);
Atomics.store(ctrl, words.READY + thread, 1);
parentPort.postMessage("ready");
for (;;) {
  Atomics.wait(ctrl, words.SEQ, seen);
  seen = Atomics.load(ctrl, words.SEQ);
  if (Atomics.load(ctrl, words.QUIT) !== 0) break;
  claimChunks(ctrl, table, kernels, seen & 0x7fff, thread, words);
}
`;
