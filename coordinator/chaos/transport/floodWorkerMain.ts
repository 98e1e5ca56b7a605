/**
 * A request-flood load generator, run as its own process so the load it puts on the
 * coordinator is real and separate from the coordinator's event loop. Sends GET
 * `url` with `concurrency` requests in flight until `durationMs` passes or
 * `maxRequests` were sent, then reports counts on IPC and exits. Loopback only.
 */
import http from "node:http";

type FloodOrder = { url: string; concurrency: number; durationMs: number; maxRequests: number };

let stopped = false;
let started = false;
const counts = { sent: 0, ok: 0, shed: 0, failed: 0 };
process.on("message", (raw: unknown) => {
  if ((raw as { stop?: boolean }).stop) {
    // Report at once: requests still in flight to a slow coordinator would hold the counts back.
    stopped = true;
    process.send?.({ counts }, () => process.exit(0));
    return;
  }
  if (started) return;
  started = true;
  const order = raw as FloodOrder;
  const target = new URL(order.url);
  if (target.hostname !== "127.0.0.1" && target.hostname !== "localhost") {
    process.send?.({ error: "request floods target loopback only" });
    process.exit(2);
  }
  const agent = new http.Agent({ keepAlive: true, maxSockets: order.concurrency });
  const deadline = performance.now() + order.durationMs;
  let active = 0;
  const next = (): void => {
    if (stopped) return;
    if (performance.now() >= deadline || counts.sent >= order.maxRequests) {
      if (active === 0) {
        process.send?.({ counts }, () => process.exit(0));
      }
      return;
    }
    counts.sent++;
    active++;
    const request = http.get({ host: target.hostname, port: target.port, path: target.pathname, agent, timeout: 5000 }, (response) => {
      if (response.statusCode === 200) counts.ok++;
      else if (response.statusCode === 503) counts.shed++;
      else counts.failed++;
      response.resume();
      response.on("end", () => {
        active--;
        next();
      });
    });
    request.on("timeout", () => request.destroy());
    request.on("error", () => {
      counts.failed++;
      active--;
      setTimeout(next, 10);
    });
  };
  for (let i = 0; i < order.concurrency; i++) next();
});
process.on("disconnect", () => process.exit(0));
