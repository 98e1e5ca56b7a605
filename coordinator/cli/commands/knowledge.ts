/**
 * `synod knowledge ls [--kind K] [--status S] [--round N] [--proposal ID] [--limit N]`
 * `synod knowledge get CID`
 * `synod knowledge publish FILE` (a record as JSON; needs the admin token)
 */
import { readFile } from "node:fs/promises";
import type { KnowledgeEntry } from "../../knowledge/knowledgeView.ts";
import type { CommandContext } from "../main.ts";
import { UsageError } from "../main.ts";

/** A record's number within its kind, as the dApp shows it: ids are `kind << 40 | sequence`. */
function recordName(record: Pick<KnowledgeEntry, "recordId">): string {
  return `#${(record.recordId ?? 0) % 2 ** 40}`;
}

export async function knowledgeCommand({ api, out, args, options }: CommandContext): Promise<void> {
  const [sub, target] = args;
  switch (sub) {
    case "ls": {
      const { records } = await api.get<{ records: KnowledgeEntry[] }>("/api/knowledge", {
        kind: options.kind,
        status: options.status,
        round: options.round,
        proposal: options.proposal,
        limit: options.limit,
      });
      out.result(records, () =>
        out.table(
          records.map((r) => ({ kind: r.kind, round: r.round, status: r.status, record: r.recordId === null ? null : recordName(r), cid: r.cid, summary: r.summary })),
          ["kind", "round", "status", "record", "cid", "summary"],
        ),
      );
      return;
    }
    case "get": {
      if (!target) throw new UsageError("synod knowledge get CID");
      const record = await api.get<KnowledgeEntry & { content: unknown }>(`/api/knowledge/${encodeURIComponent(target)}`);
      out.result(record, () => {
        out.line(`${record.kind} · round ${record.round} · ${record.status}${record.recordId === null ? "" : ` · ${record.kind} ${recordName(record)} (id ${record.recordId})`}`);
        out.line(`CID ${record.cid} (content verified against it)`);
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
      const result = await api.post<{ created: boolean; record: { cid: string; status: string; summary: string } }>("/api/knowledge", record);
      out.result(result, () => {
        out.line(result.created ? "Queued for publication and ratification." : "Already queued (same content).");
        out.line(`CID     ${result.record.cid}`);
        out.line(`status  ${result.record.status}`);
        out.line(`summary ${result.record.summary}`);
      });
      return;
    }
    default:
      throw new UsageError("synod knowledge ls|get|publish");
  }
}
