import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  formatClock,
  formatDuration,
  formatMilliseconds,
  formatPercent,
  formatRelative,
  formatTimestamp,
  formatVotes,
  ratio,
  shortAddress,
  shortId,
} from "../../app/lib/format.ts";
import { formatRecordId, parseRecordId, recordId } from "../../app/lib/knowledge.ts";
import { effectiveProposalState, matchesProposal, proposalStateName, proposalTitle, proposalTypeLabel, proposalTypeName } from "../../app/lib/proposalState.ts";

describe("format", () => {
  it("formats token amounts with separators and trimmed decimals", () => {
    assert.equal(formatVotes(225_000n * 10n ** 18n), "225,000 MESH");
    assert.equal(formatVotes(1_234_567n * 10n ** 15n), "1,234.56 MESH");
    assert.equal(formatVotes(0n), "0 MESH");
    assert.equal(formatVotes(15n * 10n ** 17n, { symbol: "" }), "1.5");
  });

  it("formats percentages and ratios, safe on zero", () => {
    assert.equal(formatPercent(1n, 3n), "33.3 %");
    assert.equal(formatPercent(5n, 0n), "0 %");
    assert.equal(ratio(3n, 4n), 0.75);
    assert.equal(ratio(5n, 4n), 1);
    assert.equal(ratio(1n, 0n), 0);
  });

  it("formats durations and relative times", () => {
    assert.equal(formatDuration(0), "0s");
    assert.equal(formatDuration(65), "1m 05s");
    assert.equal(formatDuration(3 * 3600 + 120), "3h 02m");
    assert.equal(formatDuration(2 * 86_400 + 7200), "2d 2h");
    assert.equal(formatDuration(-5), "0s");
    assert.equal(formatRelative(1_130, 1_000), "in 2m 10s");
    assert.equal(formatRelative(1_000, 1_030), "30s ago");
    assert.equal(formatTimestamp(0), "1970-01-01 00:00:00 UTC");
  });

  it("formats millisecond durations from ms to minutes", () => {
    assert.equal(formatMilliseconds(0), "0 ms");
    assert.equal(formatMilliseconds(849.6), "850 ms");
    assert.equal(formatMilliseconds(4_260), "4.2 s");
    assert.equal(formatMilliseconds(59_999), "59.9 s");
    assert.equal(formatMilliseconds(125_000), "2m 05s");
    assert.equal(formatMilliseconds(-3), "0 ms");
    assert.equal(formatMilliseconds(null), "—");
    assert.equal(formatMilliseconds(Number.NaN), "—");
  });

  it("shows the time of day for moments of today (UTC), the full timestamp otherwise", () => {
    const now = Date.UTC(2026, 10, 27, 6, 30, 0);
    assert.equal(formatClock(Date.UTC(2026, 10, 27, 6, 12, 55, 400), now), "06:12:55 UTC");
    assert.equal(formatClock(Date.UTC(2026, 10, 26, 23, 59, 59), now), "2026-11-26 23:59:59 UTC");
  });

  it("shortens addresses and ids", () => {
    assert.equal(shortAddress("0x70997970C51812dc3A010C7d01b50e0d17dc79C8"), "0x7099…79C8");
    assert.equal(shortId(42n), "#42");
    assert.equal(shortId(12345678901234567890n), "#123456…7890");
  });
});

describe("record ids", () => {
  it("round-trips kind and sequence", () => {
    const id = recordId("MapekSnapshot", 12n);
    assert.equal(id, (3n << 40n) | 12n);
    assert.deepEqual(parseRecordId(id), { kind: "MapekSnapshot", sequence: 12n });
    assert.equal(formatRecordId(id), "MapekSnapshot #12");
    assert.equal(formatRecordId(0), "none");
    assert.throws(() => parseRecordId(9n << 40n), RangeError);
  });
});

describe("proposal states and filters", () => {
  const active = { state: proposalStateName(1), hasVoted: false, text: "Ratify model round 7 krum" };
  it("maps indexes to names and rejects unknown ones", () => {
    assert.equal(proposalStateName(7), "Executed");
    assert.throws(() => proposalStateName(8), RangeError);
  });
  it("filters by state, by my vote and by every search word", () => {
    assert.equal(matchesProposal(active, "active", ""), true);
    assert.equal(matchesProposal(active, "needs-my-vote", ""), true);
    assert.equal(matchesProposal({ ...active, hasVoted: true }, "needs-my-vote", ""), false);
    assert.equal(matchesProposal({ ...active, hasVoted: undefined }, "needs-my-vote", ""), false);
    assert.equal(matchesProposal(active, "executed", ""), false);
    assert.equal(matchesProposal(active, "all", "MODEL krum"), true);
    assert.equal(matchesProposal(active, "all", "model fedavg"), false);
  });
  it("takes the title from the first heading or line", () => {
    assert.equal(proposalTitle("\n# Ratify round 7\n\nbody"), "Ratify round 7");
    assert.equal(proposalTitle("plain title\nmore"), "plain title");
    assert.equal(proposalTitle(""), undefined);
  });
});

describe("proposalTypeName", () => {
  it("names GovernorProposalTypes.ProposalType by index", () => {
    assert.equal(proposalTypeName(0), "FullVote");
    assert.equal(proposalTypeName(1), "Routine");
    assert.throws(() => proposalTypeName(2), RangeError);
    assert.equal(proposalTypeLabel("Routine"), "Routine");
    assert.equal(proposalTypeLabel("FullVote"), "Full vote");
  });
});

describe("effectiveProposalState", () => {
  const base = {
    snapshot: 100n,
    deadline: 220n,
    votes: { for: 0n, against: 0n, abstain: 0n },
    quorum: 10n,
  };
  it("opens voting after the snapshot even if the chain has not mined since", () => {
    assert.equal(effectiveProposalState({ ...base, state: "Pending", now: 100n }), "Pending");
    assert.equal(effectiveProposalState({ ...base, state: "Pending", now: 101n }), "Active");
  });
  it("decides at the deadline with the Governor's rules: quorum of For + Abstain, For beats Against", () => {
    const after = { ...base, state: "Active" as const, now: 221n };
    assert.equal(effectiveProposalState({ ...after, votes: { for: 6n, against: 5n, abstain: 4n } }), "Succeeded");
    assert.equal(effectiveProposalState({ ...after, votes: { for: 5n, against: 5n, abstain: 9n } }), "Defeated");
    assert.equal(effectiveProposalState({ ...after, votes: { for: 9n, against: 0n, abstain: 0n } }), "Defeated");
    assert.equal(effectiveProposalState({ ...base, state: "Pending", now: 300n, votes: { for: 10n, against: 0n, abstain: 0n } }), "Succeeded");
    assert.equal(effectiveProposalState({ ...after, state: "Active", now: 220n }), "Active");
  });
  it("decides a routine proposal without quorum: it passes unless Against reaches the veto threshold", () => {
    const after = { ...base, state: "Active" as const, now: 221n, type: "Routine" as const, vetoThreshold: 100n };
    assert.equal(effectiveProposalState({ ...after }), "Succeeded", "no votes at all");
    assert.equal(effectiveProposalState({ ...after, votes: { for: 0n, against: 99n, abstain: 0n } }), "Succeeded");
    assert.equal(effectiveProposalState({ ...after, votes: { for: 500n, against: 100n, abstain: 0n } }), "Defeated", "vetoed whatever For says");
    assert.equal(effectiveProposalState({ ...after, now: 220n }), "Active");
    // The same votes on a full-vote proposal: no quorum, defeated.
    assert.equal(effectiveProposalState({ ...after, type: "FullVote" }), "Defeated");
  });
  it("leaves every other state as the chain says", () => {
    for (const state of ["Canceled", "Queued", "Executed", "Expired", "Defeated", "Succeeded"] as const) {
      assert.equal(effectiveProposalState({ ...base, state, now: 1_000n }), state);
    }
  });
});
