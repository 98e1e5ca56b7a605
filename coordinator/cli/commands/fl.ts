/**
 * `synod fl status`   nodes, rounds, updates, the round in progress
 * `synod fl start`    start a round now (admin)
 * `synod fl model`    the current global model, its CIDs and ratification
 * `synod fl metrics`  rejections by reason, Byzantine detections, accuracy per round
 */
import { getFlMetrics, getFlModel, getFlStatus, startFlRound } from "../../client/actions/fl.ts";
import { UsageError } from "../../errors/cli.ts";
import type { CommandContext } from "../command.ts";

const percent = (value: number | null) => (value === null ? "–" : `${(value * 100).toFixed(1)} %`);

export async function flCommand({ api, out, args }: CommandContext): Promise<void> {
  switch (args[0]) {
    case "status": {
      const s = await getFlStatus(api);
      out.result(s, () => {
        out.line(`nodes    ${s.nodes.total} (online ${s.nodes.online}, banned ${s.nodes.banned})`);
        out.line(`rounds   ${s.rounds.completed} completed, ${s.rounds.failed} failed${s.current ? `; round ${s.current.round} running (deadline ${s.current.timeoutMs} ms)` : ""}`);
        out.line(`updates  ${s.updates.accepted} accepted, ${s.updates.rejected} rejected`);
        out.line(`strategy ${JSON.stringify(s.strategy)}`);
      });
      return;
    }
    case "start": {
      const started = await startFlRound(api);
      out.result(started, () => out.line(`round ${started.round} started: ${started.participants} participants, deadline ${started.timeoutMs} ms`));
      return;
    }
    case "model": {
      const m = await getFlModel(api);
      out.result(m, () => {
        if (m.round === null) return out.line("no model yet: no round has completed");
        out.line(`model v${m.version} (round ${m.round}): holdout accuracy ${percent(m.holdoutAccuracy)}, loss ${m.holdoutLoss?.toFixed(4) ?? "–"}`);
        out.line(`record   ${m.recordCid} (${m.status}${m.recordId !== null ? `, on chain #${m.recordId}` : ""})`);
        out.line(`weights  ${m.manifestCid}`);
      });
      return;
    }
    case "metrics": {
      const m = await getFlMetrics(api);
      out.result(m, () => {
        out.line(`rounds   ${m.rounds.completed} completed, ${m.rounds.failed} failed`);
        out.line(`updates  ${m.updates.accepted} accepted, ${m.updates.rejected} rejected${Object.keys(m.updates.rejectedByReason).length ? ` (${Object.entries(m.updates.rejectedByReason).map(([reason, n]) => `${reason} ${n}`).join(", ")})` : ""}`);
        out.line(`Byzantine detections ${m.byzantineDetections}`);
        out.table(m.accuracy.slice(-10).map((a) => ({ round: a.round, accuracy: percent(a.accuracy), loss: a.loss.toFixed(4) })), ["round", "accuracy", "loss"]);
      });
      return;
    }
    default:
      throw new UsageError("synod fl status|start|model|metrics");
  }
}
