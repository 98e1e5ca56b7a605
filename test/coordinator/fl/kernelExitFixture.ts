/**
 * Child process of the kernels test: runs FedMedian on a large input with the kernel
 * pool's helper thread started, until the helper has run some of the work (it claims
 * chunks as it gets CPU, so on a busy machine the first run may go to this thread
 * alone), prints the kernel counts and returns without closing the pool. The test
 * asserts the process exits by itself.
 */
import { kernelCounts, kernelPool } from "../../../coordinator/fl/kernels/kernelPool.ts";
import { createStrategy } from "../../../coordinator/fl/strategies/createStrategy.ts";

await kernelPool()?.ready();
const n = 40;
const d = 20_000;
const results = Array.from({ length: n }, (_, i) => ({ nodeId: `node-${i}`, params: Float32Array.from({ length: d }, (_, j) => Math.sin(i * 7 + j)), numExamples: 1 }));
const deadline = performance.now() + 20_000;
do createStrategy({ name: "fedmedian" }).aggregate({ round: 1, global: new Float32Array(d), results });
while (kernelCounts().helperChunks === 0 && performance.now() < deadline);
process.stdout.write(`${JSON.stringify(kernelCounts())}\n`);
