/**
 * `request-flood`: floods the coordinator API with GET requests from a separate
 * load-generator process (`transport/floodWorkerMain.ts`), bounded in concurrency,
 * time and count, loopback only. Its target is the coordinator, not nodes: the
 * selector is optional and ignored. Recovery kills the generator.
 */
import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { baseSpecShape, validateSpec, type FaultContext, type FaultKindDefinition, type FaultStatus, type Injection } from "../fault.ts";

const WORKER = fileURLToPath(new URL("../transport/floodWorkerMain.ts", import.meta.url));
const TSX = import.meta.resolve("tsx");

export const RequestFloodSpecSchema = z.strictObject({
  selector: baseSpecShape.selector.optional(),
  durationMs: baseSpecShape.durationMs,
  /** Requests in flight at once. */
  concurrency: z.number().int().min(1).max(512),
  /** Hard cap on requests sent. */
  maxRequests: z.number().int().min(1).max(10_000_000).default(1_000_000),
  /** Path on the coordinator API. */
  path: z.string().regex(/^\/[\x21-\x7e]*$/).default("/api/status"),
});
export type RequestFloodSpec = z.infer<typeof RequestFloodSpecSchema>;
export type RequestFloodStatus = { worker: ChildProcess; result: Promise<{ sent: number; ok: number; shed: number; failed: number } | null> };

/** Validates a request-flood spec. */
export const validateRequestFlood = (input: unknown) => validateSpec(RequestFloodSpecSchema, input, (spec) => (spec.durationMs === 0 ? [{ path: "durationMs", message: "must be positive" }] : []));

export async function applyRequestFlood(spec: RequestFloodSpec, _targets: string[], context: FaultContext): Promise<Injection<RequestFloodStatus>> {
  const url = new URL(spec.path, context.system.apiUrl()).toString();
  const worker = fork(WORKER, [], { execPath: process.execPath, execArgv: ["--import", TSX], stdio: ["ignore", "ignore", "inherit", "ipc"] });
  const result = new Promise<{ sent: number; ok: number; shed: number; failed: number } | null>((resolve) => {
    worker.once("message", (message: unknown) => resolve((message as { counts?: { sent: number; ok: number; shed: number; failed: number } }).counts ?? null));
    worker.once("exit", () => resolve(null));
  });
  worker.send({ url, concurrency: spec.concurrency, durationMs: spec.durationMs + 60_000, maxRequests: spec.maxRequests });
  return { affected: ["coordinator"], state: { worker, result }, records: [{ target: "coordinator", phase: "injected", detail: `${spec.concurrency} concurrent GET ${spec.path}` }] };
}

export async function recoverRequestFlood(_spec: RequestFloodSpec, injection: Injection<RequestFloodStatus>): Promise<FaultStatus["records"]> {
  const { worker, result } = injection.state;
  if (worker.exitCode === null && worker.signalCode === null) {
    const exited = new Promise((resolve) => worker.once("exit", resolve));
    // Ask for a clean stop (it reports its counts); kill it if it does not stop in 3 s.
    worker.send({ stop: true });
    const timer = setTimeout(() => worker.kill("SIGKILL"), 3000);
    await exited;
    clearTimeout(timer);
  }
  const counts = await result;
  return [{ target: "coordinator", phase: "recovered", detail: counts ? `sent ${counts.sent}, ok ${counts.ok}, shed ${counts.shed}, failed ${counts.failed}` : "generator stopped" }];
}

export const requestFlood: FaultKindDefinition<RequestFloodSpec, RequestFloodStatus> = {
  kind: "request-flood",
  scope: "coordinator",
  description: "flood the coordinator API from a separate load-generator process",
  schema: RequestFloodSpecSchema,
  validate: validateRequestFlood,
  apply: applyRequestFlood,
  recover: recoverRequestFlood,
};
