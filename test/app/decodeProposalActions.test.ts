import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, it } from "node:test";
import { encodeFunctionData, stringToHex, type Hex } from "viem";
import { deployedContracts } from "../../app/contracts/deployedContracts.ts";
import { decodeProposalActions, formatParameterValue, parameterName } from "../../app/lib/decodeProposalActions.ts";
import { cidFromHex } from "../../app/lib/verifyCid.ts";

const contracts = deployedContracts[31337];
const { KnowledgeRegistry, MeshPolicy, MeshGovernor } = contracts;
const cidHex = (text: string): Hex => `0x01551220${createHash("sha256").update(text).digest("hex")}`;

function decode(target: `0x${string}`, data: Hex, value = 0n) {
  return decodeProposalActions({ targets: [target], values: [value], calldatas: [data], contracts });
}

describe("decodeProposalActions", () => {
  it("describes a knowledge record with its kind, round, lineage and CID", () => {
    const cid = cidHex("model v2");
    const data = encodeFunctionData({
      abi: KnowledgeRegistry.abi,
      functionName: "record",
      args: [{ kind: 0, schemaVersion: 1, ref: 1, round: 7, cid }],
    });
    const [action] = decode(KnowledgeRegistry.address, data);
    assert.equal(action?.contract, "KnowledgeRegistry");
    assert.equal(action?.functionName, "record");
    assert.deepEqual(action?.lines, [
      `record Model (round 7, schema v1) CID ${cidFromHex(cid).toString()}, building on Model #1`,
    ]);
  });

  it("describes a reference to a record of the same proposal by its position", () => {
    const cid = cidHex("model v3");
    const data = encodeFunctionData({
      abi: KnowledgeRegistry.abi,
      functionName: "record",
      args: [{ kind: 0, schemaVersion: 1, ref: 255 * 2 ** 40 + 2, round: 8, cid }],
    });
    assert.deepEqual(decode(KnowledgeRegistry.address, data)[0]?.lines, [
      `record Model (round 8, schema v1) CID ${cidFromHex(cid).toString()}, building on record 2 of this proposal`,
    ]);
  });

  it("gives one line per record of a batch", () => {
    const data = encodeFunctionData({
      abi: KnowledgeRegistry.abi,
      functionName: "recordBatch",
      args: [[
        { kind: 1, schemaVersion: 1, ref: 0, round: 3, cid: cidHex("incident") },
        { kind: 3, schemaVersion: 1, ref: 0, round: 4, cid: cidHex("snapshot") },
      ]],
    });
    const lines = decode(KnowledgeRegistry.address, data)[0]?.lines ?? [];
    assert.equal(lines.length, 2);
    assert.match(lines[0]!, /^record Incident \(round 3, schema v1\) CID bafkrei/);
    assert.match(lines[1]!, /^record MapekSnapshot \(round 4/);
  });

  it("names policy parameters and their values", () => {
    const set = encodeFunctionData({
      abi: MeshPolicy.abi,
      functionName: "setParameter",
      args: [stringToHex("fl.targetParticipants", { size: 32 }), 15n],
    });
    assert.deepEqual(decode(MeshPolicy.address, set)[0]?.lines, ["set fl.targetParticipants to 15"]);
    const strategy = encodeFunctionData({
      abi: MeshPolicy.abi,
      functionName: "setParameters",
      args: [[stringToHex("fl.strategy", { size: 32 }), stringToHex("fl.roundDeadlineMs", { size: 32 })], [6n, 30_000n]],
    });
    assert.deepEqual(decode(MeshPolicy.address, strategy)[0]?.lines, [
      "set fl.strategy to krum",
      "set fl.roundDeadlineMs to 30000 ms",
    ]);
  });

  it("describes bans, revocations and governor settings", () => {
    const node = "0x00000000000000000000000000000000000000AA";
    const ban = encodeFunctionData({ abi: MeshPolicy.abi, functionName: "banNode", args: [node] });
    assert.deepEqual(decode(MeshPolicy.address, ban)[0]?.lines, [`ban node ${node}`]);
    const revoke = encodeFunctionData({ abi: KnowledgeRegistry.abi, functionName: "revoke", args: [2 ** 40 + 3] });
    assert.deepEqual(decode(KnowledgeRegistry.address, revoke)[0]?.lines, ["revoke Incident #3"]);
    const period = encodeFunctionData({ abi: MeshGovernor.abi, functionName: "setVotingPeriod", args: [3600] });
    assert.deepEqual(decode(MeshGovernor.address, period)[0]?.lines, ["set the voting period to 3600 s (1h 00m)"]);
  });

  it("falls back to the selector for unknown targets and calldata, and shows value transfers", () => {
    const stranger = "0x1111111111111111111111111111111111111111";
    const [action] = decode(stranger, "0xdeadbeef00", 10n ** 18n);
    assert.equal(action?.functionName, undefined);
    assert.deepEqual(action?.lines, [
      "call 0x1111…1111 with undecoded calldata 0xdeadbeef… (5 bytes)",
      `send 1 ETH to ${stranger}`,
    ]);
  });
});

describe("policy values", () => {
  it("reads bytes32 names and formats by unit suffix", () => {
    assert.equal(parameterName(stringToHex("mesh.heartbeatMs", { size: 32 })), "mesh.heartbeatMs");
    assert.equal(formatParameterValue("fl.trimBetaBps", 1000n), "1000 bps (10 %)");
    assert.equal(formatParameterValue("mapek.euphoricMilli", 1456n), "1456 (1.456)");
    assert.equal(formatParameterValue("fl.dpEnabled", 0n), "0 (off)");
  });
});
