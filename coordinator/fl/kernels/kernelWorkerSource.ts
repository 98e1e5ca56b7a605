/**
 * The helper thread of `KernelPool`, as plain JavaScript evaluated by `new Worker(…,
 * { eval: true })`: no file to resolve and no TypeScript loader needed, so it starts
 * the same under tsx, Node's type stripping, the test runner or a bundle.
 *
 * It instantiates the kernel module (a compiled `WebAssembly.Module`, shared with the
 * pool through workerData) over the pool's shared memory, raises its ready flag, then
 * waits (Atomics.wait) on its control slot: for each new sequence number it calls the
 * kernel named by args[0] (an index into the `names` list) with args[2 … 2 + args[1]),
 * writes the status (0 ok, 1 threw) and the sequence number it finished, and wakes the
 * caller. A negative kind stops the loop.
 *
 * Slot layout (Int32 words): 0 task sequence, 1 done sequence, 2 status, 3 ready;
 * float64 arguments from byte `argsOffset`.
 */
export const KERNEL_WORKER_SOURCE = `
"use strict";
const { workerData, parentPort } = require("node:worker_threads");
const { memory, module, slot, names, slotBytes, argsOffset, maxArgs } = workerData;
const { exports } = new WebAssembly.Instance(module, { env: { memory } });
const kernels = names.map((name) => exports[name]);
const ctrl = new Int32Array(memory.buffer, slot * slotBytes, 4);
const args = new Float64Array(memory.buffer, slot * slotBytes + argsOffset, maxArgs);
let seen = Atomics.load(ctrl, 0);
Atomics.store(ctrl, 3, 1);
parentPort.postMessage("ready");
for (;;) {
  Atomics.wait(ctrl, 0, seen);
  const seq = Atomics.load(ctrl, 0);
  if (seq === seen) continue;
  seen = seq;
  const kind = args[0];
  if (kind < 0) break;
  let status = 0;
  try {
    const argc = args[1];
    const list = [];
    for (let i = 0; i < argc; i++) list.push(args[2 + i]);
    kernels[kind](...list);
  } catch {
    status = 1;
  }
  Atomics.store(ctrl, 2, status);
  Atomics.store(ctrl, 1, seq);
  Atomics.notify(ctrl, 1);
}
`;
