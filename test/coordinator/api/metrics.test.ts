/**
 * GET /metrics: Prometheus text format with process metrics, the request duration
 * histogram, and whatever other parts register.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Counter } from "prom-client";
import { createMetrics } from "../../../coordinator/api/metrics.ts";
import { buildTestApp } from "./helper.ts";

describe("GET /metrics", () => {
  it("serves the exposition format: process metrics, request durations by route, added metrics, event counts", async (t) => {
    const metrics = createMetrics();
    const rounds = new Counter({ name: "synod_fl_rounds_total", help: "FL rounds.", labelNames: ["status"] as const, registers: [metrics.registry] });
    rounds.inc({ status: "completed" }, 2);
    const { app, events } = await buildTestApp(t, { app: { metrics } });

    await app.inject({ method: "GET", url: "/health" });
    await app.inject({ method: "GET", url: "/no/such/route/123" });
    events.publish("knowledge.record.published", { kind: "Model", cid: "bafy" });

    const response = await app.inject({ method: "GET", url: "/metrics" });
    assert.equal(response.statusCode, 200);
    assert.equal(response.headers["content-type"], "text/plain; version=0.0.4; charset=utf-8");
    const text = response.body;
    // Every sample line is `name{labels} value` or `name value`; comments are HELP/TYPE.
    // (prom-client writes NaN as "Nan", which Prometheus parses case-insensitively.)
    for (const line of text.split("\n").filter((l) => l !== "")) {
      assert.match(line, /^(# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .+|[a-zA-Z_:][a-zA-Z0-9_:]*(\{.*\})? [-+0-9.eE]+|[a-zA-Z_:][a-zA-Z0-9_:]*(\{.*\})? (NaN|Nan|[+-]Inf))$/, line);
    }
    assert.match(text, /^# TYPE synod_process_cpu_user_seconds_total counter$/m);
    assert.match(text, /^synod_nodejs_heap_size_used_bytes \d+/m);
    assert.match(text, /^# TYPE synod_http_request_duration_seconds histogram$/m);
    assert.match(text, /^synod_http_request_duration_seconds_count\{method="GET",route="\/health",status_code="200"\} 1$/m);
    assert.match(text, /^synod_http_request_duration_seconds_bucket\{le="\+Inf",method="GET",route="\/health",status_code="200"\} 1$/m);
    // Unmatched paths share one label value.
    assert.match(text, /route="\(unmatched\)",status_code="404"/);
    assert.doesNotMatch(text, /no\/such\/route/);
    assert.match(text, /^synod_fl_rounds_total\{status="completed"\} 2$/m);
    assert.match(text, /^synod_events_published_total\{type="knowledge.record.published"\} 1$/m);
  });
});
