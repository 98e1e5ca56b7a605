/**
 * A knowledge proposal's summary, from its calldata: the epoch it ratifies with counts
 * per kind (decoded from `recordEpoch`), its headline records, and the sentence the
 * action list shows for `recordEpoch`.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, it } from "node:test";
import { encodeFunctionData, stringToHex, type Hex } from "viem";
import { deployedContracts } from "../../app/contracts/deployedContracts.ts";
import { decodeProposalActions } from "../../app/lib/decodeProposalActions.ts";
import { summarizeProposal } from "../../app/lib/summarizeProposal.ts";
import { cidFromHex } from "../../app/lib/verifyCid.ts";

const contracts = deployedContracts[31337];
const { KnowledgeRegistry, MeshPolicy } = contracts;
const cidHex = (text: string): Hex => `0x01551220${createHash("sha256").update(text).digest("hex")}`;
const root: Hex = `0x${"ab".repeat(32)}`;

const epochCall = encodeFunctionData({
  abi: KnowledgeRegistry.abi,
  functionName: "recordEpoch",
  args: [7n, root, cidHex("manifest 7"), [30, 1, 0, 12, 1]],
});
const headlineCall = encodeFunctionData({
  abi: KnowledgeRegistry.abi,
  functionName: "recordBatch",
  args: [[
    { kind: 0, schemaVersion: 1, ref: 0, round: 29, cid: cidHex("model 29") },
    { kind: 4, schemaVersion: 1, ref: 0, round: 0, cid: cidHex("directive 1") },
  ]],
});

describe("summarizeProposal", () => {
  it("reads the epoch's counts per kind from recordEpoch and the headlines from the record calls", () => {
    const summary = summarizeProposal({ targets: [KnowledgeRegistry.address, KnowledgeRegistry.address], calldatas: [epochCall, headlineCall], contracts });
    assert.deepEqual(summary.epochs, [
      {
        epoch: 7,
        root,
        manifestCid: cidFromHex(cidHex("manifest 7")).toString(),
        counts: { Model: 30, Incident: 1, ChaosReport: 0, MapekSnapshot: 12, Directive: 1 },
        total: 44,
      },
    ]);
    // Headlines are leaves of the same epoch: counted once.
    assert.deepEqual(summary.counts, { Model: 30, Incident: 1, ChaosReport: 0, MapekSnapshot: 12, Directive: 1 });
    assert.deepEqual(
      summary.headlines.map((h) => [h.kind, h.round, h.cid]),
      [
        ["Model", 29, cidFromHex(cidHex("model 29")).toString()],
        ["Directive", 0, cidFromHex(cidHex("directive 1")).toString()],
      ],
    );
  });

  it("counts the records of a proposal without an epoch, and ignores calls to other contracts", () => {
    const policy = encodeFunctionData({ abi: MeshPolicy.abi, functionName: "setParameter", args: [stringToHex("fl.targetParticipants", { size: 32 }), 15n] });
    const summary = summarizeProposal({ targets: [MeshPolicy.address, KnowledgeRegistry.address], calldatas: [policy, headlineCall], contracts });
    assert.deepEqual(summary.epochs, []);
    assert.deepEqual(summary.counts, { Model: 1, Incident: 0, ChaosReport: 0, MapekSnapshot: 0, Directive: 1 });
    assert.equal(summary.headlines.length, 2);
    // recordEpoch's selector sent to another address is not knowledge.
    assert.deepEqual(summarizeProposal({ targets: [MeshPolicy.address], calldatas: [epochCall], contracts }).epochs, []);
  });

  it("describes recordEpoch in the action list", () => {
    const [action] = decodeProposalActions({ targets: [KnowledgeRegistry.address], values: [0n], calldatas: [epochCall], contracts });
    assert.equal(action?.functionName, "recordEpoch");
    assert.deepEqual(action?.lines, [
      `ratify knowledge epoch 7: 30 Models, 1 Incident, 12 MapekSnapshots, 1 Directive (44 records), Merkle root ${root}, manifest ${cidFromHex(cidHex("manifest 7")).toString()}`,
    ]);
  });
});
