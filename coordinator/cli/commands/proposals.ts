/**
 * `synod proposals ls [--limit N]`
 * `synod proposals show ID`
 */
import { formatEther } from "viem";
import { getProposal, listProposals } from "../../client/actions/proposals.ts";
import { UsageError } from "../../errors/cli.ts";
import type { CommandContext } from "../command.ts";

const votes = (wei: string) => `${Number(formatEther(BigInt(wei))).toLocaleString("en-US")} MESH`;

export async function proposalsCommand({ api, out, args, options }: CommandContext): Promise<void> {
  const [sub, id] = args;
  switch (sub) {
    case "ls": {
      const { proposals } = await listProposals(api, { limit: options.limit });
      out.result(proposals, () =>
        out.table(
          proposals.map((p) => ({ id: `${p.id.slice(0, 10)}…`, state: p.state, type: p.proposalType, for: votes(p.votes.for), against: votes(p.votes.against), actions: p.actions, title: p.title })),
          ["id", "state", "type", "for", "against", "actions", "title"],
        ),
      );
      return;
    }
    case "show": {
      if (!id) throw new UsageError("synod proposals show ID");
      const p = await getProposal(api, { id });
      out.result(p, () => {
        out.line(`${p.title}`);
        out.line(`id ${p.id}`);
        out.line(`state ${p.state} · votes ${new Date(p.voteStart * 1000).toISOString()} → ${new Date(p.voteEnd * 1000).toISOString()}${p.eta ? ` · executable after ${new Date(p.eta * 1000).toISOString()}` : ""}`);
        out.line(`for ${votes(p.votes.for)} · against ${votes(p.votes.against)} · abstain ${votes(p.votes.abstain)} · quorum ${votes(p.quorum)}`);
        out.line(`type ${p.proposalType === "routine" ? "routine (passes unless vetoed)" : "full vote (needs the quorum)"}`);
        if (p.epoch) out.line(`knowledge epoch ${p.epoch.epoch} (${p.epoch.status}): ${p.epoch.records} records, root ${p.epoch.root}, manifest ${p.epoch.manifestCid}`);
        out.line();
        out.table(p.voters.map((v) => ({ voter: v.voter, support: v.support, weight: votes(v.weight), reason: v.reason })), ["voter", "support", "weight", "reason"]);
        out.line();
        out.line(p.description);
      });
      return;
    }
    default:
      throw new UsageError("synod proposals ls|show");
  }
}
