/**
 * `synod knowledge ls [--kind K] [--status S] [--round N] [--epoch E] [--proposal ID] [--offset N] [--limit N]`
 * `synod knowledge get CID` (content verified; its epoch and proof status)
 * `synod knowledge publish FILE` (a record as JSON; needs the admin token)
 * `synod knowledge epochs [N] [--kind K] [--status S] [--offset N] [--limit N]` (epochs; one epoch's records with leaves)
 * `synod knowledge audit` (records by state; any no epoch explains; exit 1 if there are)
 */
import { readFile } from "node:fs/promises";
import type { z } from "zod";
import { epochPageQuerySchema, knowledgeListQuerySchema } from "../../api/schemas/knowledge.ts";
import { getEpochPage, getKnowledgeAudit, getKnowledgeRecord, listEpochs, listKnowledge, submitKnowledge } from "../../client/actions/knowledge.ts";
import { UsageError } from "../../errors/cli.ts";
import type { CommandContext } from "../command.ts";

/** A record's number within its kind, as the dApp shows it: ids are `kind << 40 | sequence`. */
function recordName(record: { recordId: number | null }): string {
  return `#${(record.recordId ?? 0) % 2 ** 40}`;
}

/**
 * The options checked with the route's own querystring schema before anything is sent,
 * so a bad value is a usage error that names its option.
 */
function queryOf<S extends z.ZodType>(schema: S, options: Record<string, string | undefined>, usage: string): z.output<S> {
  const parsed = schema.safeParse(options);
  if (parsed.success) return parsed.data;
  throw new UsageError(`${usage}\n${parsed.error.issues.map((issue) => `--${issue.path.join(".")}: ${issue.message}`).join("\n")}`);
}

export async function knowledgeCommand({ api, out, args, options }: CommandContext): Promise<void | number> {
  const [sub, target] = args;
  switch (sub) {
    case "ls": {
      const query = queryOf(
        knowledgeListQuerySchema,
        { kind: options.kind, status: options.status, round: options.round, epoch: options.epoch, proposal: options.proposal, offset: options.offset, limit: options.limit },
        "synod knowledge ls [--kind K] [--status S] [--round N] [--epoch E] [--proposal ID] [--offset N] [--limit N]",
      );
      const page = await listKnowledge(api, query);
      out.result(page.records, () => {
        out.table(
          page.records.map((r) => ({ kind: r.kind, round: r.round, status: r.status, epoch: r.epoch, record: r.recordId === null ? null : recordName(r), cid: r.cid, summary: r.summary })),
          ["kind", "round", "status", "epoch", "record", "cid", "summary"],
        );
        out.line(`${page.offset + 1}–${page.offset + page.records.length} of ${page.total}`);
      });
      return;
    }
    case "get": {
      if (!target) throw new UsageError("synod knowledge get CID");
      const record = await getKnowledgeRecord(api, { cid: target });
      out.result(record, () => {
        out.line(`${record.kind} · round ${record.round} · ${record.status}${record.recordId === null ? "" : ` · ${record.kind} ${recordName(record)} (id ${record.recordId})`}`);
        out.line(`CID ${record.cid} (content verified against it)`);
        if (record.epoch) {
          out.line(`epoch ${record.epoch.epoch} · root ${record.epoch.root} · ${record.epoch.ratified ? "ratified" : "not ratified yet"}`);
          out.line(`leaf ${record.epoch.leaf} · proof of ${record.epoch.proof.length} hash(es)`);
        } else out.line("in no epoch yet (pending)");
        if (record.proposalId) out.line(`proposal ${record.proposalId}`);
        out.line();
        out.line(JSON.stringify(record.content, null, 2));
      });
      return;
    }
    case "publish": {
      if (!target) throw new UsageError("synod knowledge publish FILE");
      let record: unknown;
      try {
        record = JSON.parse(await readFile(target, "utf8"));
      } catch (cause) {
        throw new UsageError(`${target} is not a readable JSON file (${cause instanceof Error ? cause.message : String(cause)})`);
      }
      const result = await submitKnowledge(api, { record });
      out.result(result, () => {
        out.line(result.created ? "Queued for publication and ratification." : "Already queued (same content).");
        out.line(`CID     ${result.record.cid}`);
        out.line(`status  ${result.record.status}`);
        out.line(`summary ${result.record.summary}`);
      });
      return;
    }
    case "epochs": {
      if (target) {
        const query = queryOf(epochPageQuerySchema, { kind: options.kind, status: options.status, offset: options.offset, limit: options.limit }, "synod knowledge epochs [N] [--kind K] [--status S] [--offset N] [--limit N]");
        const page = await getEpochPage(api, { epoch: target, ...query });
        out.result(page, () => {
          const e = page.epoch;
          out.line(`epoch ${e.epoch} · ${e.status}${e.outcome ? ` (${e.outcome})` : ""} · ${e.proposalType} · ${e.records} records · root ${e.root}`);
          out.line(`manifest ${e.manifestCid} · proposal ${e.proposalId}`);
          out.table(
            page.records.map((r) => ({ "#": r.position, kind: r.kind, round: r.round, status: r.status, headline: r.headline ? "yes" : "", cid: r.cid, leaf: `${r.leaf.slice(0, 12)}…` })),
            ["#", "kind", "round", "status", "headline", "cid", "leaf"],
          );
          out.line(`${page.offset + 1}–${page.offset + page.records.length} of ${page.total}`);
        });
        return;
      }
      const { epochs } = await listEpochs(api, { offset: options.offset, limit: options.limit });
      out.result(epochs, () =>
        out.table(
          epochs.map((e) => ({ epoch: e.epoch, status: e.outcome ? `${e.status} (${e.outcome})` : e.status, type: e.proposalType, records: e.records, closed: e.closedAt, root: `${e.root.slice(0, 12)}…` })),
          ["epoch", "status", "type", "records", "closed", "root"],
        ),
      );
      return;
    }
    case "audit": {
      const audit = await getKnowledgeAudit(api);
      out.result(audit, () => {
        out.line(`records: ${Object.entries(audit.counts).map(([status, n]) => `${status} ${n}`).join(" · ")}`);
        out.line(`epochs:  ${Object.entries(audit.epochs).map(([status, n]) => `${status} ${n}`).join(" · ")}`);
        if (audit.ok) out.line("Every published record is pending or in an epoch that explains its state.");
        else out.table(audit.unaccounted, ["cid", "kind", "status", "epoch", "problem"]);
      });
      return audit.ok ? undefined : 1;
    }
    default:
      throw new UsageError("synod knowledge ls|get|publish|epochs|audit");
  }
}
