import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseEventLogs, type Hex } from "viem";
import { call, deploySynod, networkHelpers, pass, rawCid, viem } from "../../fixtures/synod.ts";

const Kind = { Model: 0, Incident: 1, ChaosReport: 2, MapekSnapshot: 3, Directive: 4 } as const;
const PROPOSAL_ID = 0xabcdefn;
/** Record ids are `kind << 40 | sequence`; viem decodes uint48 as a number. */
const idOf = (kind: number, sequence: number) => kind * 2 ** 40 + sequence;
const input = (kind: number, content: string, ref = 0, round = 7) => ({ kind, schemaVersion: 1, ref, round, cid: rawCid(content) });

/**
 * A registry whose "governance" is a plain account and whose governor is a mock that
 * reports a chosen executing proposal, so each rule is tested without a full vote.
 */
async function deployStandaloneRegistry() {
  const [writer, stranger] = await viem.getWalletClients();
  const governor = await viem.deployContract("ExecutingProposalMock");
  await governor.write.setExecutingProposalId([PROPOSAL_ID]);
  const registry = await viem.deployContract("KnowledgeRegistry", [writer!.account.address, governor.address]);
  return { registry, governor, writer: writer!, stranger: stranger! };
}

describe("KnowledgeRegistry", () => {
  it("stores CIDs of every supported shape byte-for-byte", async () => {
    const { registry } = await networkHelpers.loadFixture(deployStandaloneRegistry);
    const digest = "11".repeat(32);
    const cids: Hex[] = [
      `0x01551220${digest}`, // raw, sha2-256
      `0x01701220${digest}`, // dag-pb, sha2-256
      `0x01a9021220${digest}`, // dag-json (2-byte codec varint)
      `0x01551e20${digest}`, // raw, blake3
      `0x01a902b24020${digest}`, // dag-json, blake2b-256 (two 2-byte varints: the 6-byte maximum)
    ];
    for (const [i, cid] of cids.entries()) {
      await registry.write.record([{ kind: Kind.Incident, schemaVersion: 3, ref: 0, round: i, cid }]);
      const stored = await registry.read.getRecord([idOf(Kind.Incident, i + 1)]);
      assert.equal(stored.cid, cid);
      assert.equal(stored.schemaVersion, 3);
      assert.equal(stored.round, i);
      assert.equal(stored.proposalId, PROPOSAL_ID);
      assert.ok(stored.recordedAt > 0);
    }
  });

  it("numbers records per kind and pages them", async () => {
    const { registry } = await networkHelpers.loadFixture(deployStandaloneRegistry);
    const hash = await registry.write.recordBatch([
      [input(Kind.Model, "m1"), input(Kind.Incident, "i1"), input(Kind.Model, "m2", idOf(Kind.Model, 1)), input(Kind.Model, "m3")],
    ]);
    const receipt = await (await viem.getPublicClient()).waitForTransactionReceipt({ hash });
    const events = parseEventLogs({ abi: registry.abi, logs: receipt.logs, eventName: "RecordAdded" });
    assert.deepEqual(
      events.map((e) => e.args.id),
      [idOf(Kind.Model, 1), idOf(Kind.Incident, 1), idOf(Kind.Model, 2), idOf(Kind.Model, 3)],
    );
    assert.equal(await registry.read.recordCount([Kind.Model]), 3n);
    assert.equal(await registry.read.recordCount([Kind.Incident]), 1n);
    assert.equal(await registry.read.recordCount([Kind.Directive]), 0n);

    const page = await registry.read.recordsOfKind([Kind.Model, 1n, 10n]);
    assert.deepEqual(page.map((r) => r.cid), [rawCid("m2"), rawCid("m3")]);
    assert.equal(page[0]!.ref, idOf(Kind.Model, 1), "lineage to the parent model");
    assert.deepEqual(await registry.read.recordsOfKind([Kind.Model, 3n, 10n]), []);
    assert.equal((await registry.read.recordsOfKind([Kind.Model, 0n, 2n])).length, 2);
  });

  it("resolves a reference to a record written earlier by the same proposal, whose id the proposer could not know", async () => {
    const synod = await networkHelpers.loadFixture(deploySynod);
    const { registry } = synod;
    // Another proposal's records first, so the new ids are not 1, 2, 3.
    await pass(synod, [call(registry, "record", [input(Kind.Model, "earlier")]), call(registry, "record", [input(Kind.Incident, "earlier incident")])], "earlier");
    const sameProposal = (k: number) => 255 * 2 ** 40 + k;
    await pass(
      synod,
      [
        call(registry, "record", [input(Kind.Model, "parent")]),
        call(registry, "record", [input(Kind.Incident, "incident")]),
        call(registry, "record", [input(Kind.Model, "child", sameProposal(1))]),
        call(registry, "recordBatch", [[input(Kind.Incident, "resolution", sameProposal(2)), input(Kind.Model, "grandchild", sameProposal(3))]]),
      ],
      "lineage inside one proposal",
    );
    const models = await registry.read.recordsOfKind([Kind.Model, 0n, 10n]);
    assert.deepEqual(models.map((r) => r.ref), [0, 0, idOf(Kind.Model, 2), idOf(Kind.Model, 3)], "child → parent, grandchild → child");
    const incidents = await registry.read.recordsOfKind([Kind.Incident, 0n, 10n]);
    assert.deepEqual(incidents.map((r) => r.ref), [0, 0, idOf(Kind.Incident, 2)]);
  });

  it("records which proposal wrote each record, even for ids that share their low bits", async () => {
    const { registry, governor } = await networkHelpers.loadFixture(deployStandaloneRegistry);
    const first = (1n << 200n) | 0x5n;
    const second = (2n << 200n) | 0x5n;
    for (const [i, proposalId] of [first, first, second, first].entries()) {
      await governor.write.setExecutingProposalId([proposalId]);
      await registry.write.record([input(Kind.Directive, `directive ${i}`)]);
    }
    const records = await registry.read.recordsOfKind([Kind.Directive, 0n, 10n]);
    assert.deepEqual(records.map((r) => r.proposalId), [first, first, second, first]);
  });

  it("returns the latest model that is not revoked", async () => {
    const { registry } = await networkHelpers.loadFixture(deployStandaloneRegistry);
    const [none] = await registry.read.latestModel();
    assert.equal(none, false);
    await registry.write.recordBatch([[input(Kind.Model, "m1"), input(Kind.Model, "m2")]]);
    assert.equal((await registry.read.latestModel())[1].cid, rawCid("m2"));
    await registry.write.revoke([idOf(Kind.Model, 2)]);
    assert.equal((await registry.read.latestModel())[1].cid, rawCid("m1"));
  });

  it("revokes once, and supersedes with a record of the same kind that refers back", async () => {
    const { registry } = await networkHelpers.loadFixture(deployStandaloneRegistry);
    await registry.write.record([input(Kind.ChaosReport, "report v1")]);
    const oldId = idOf(Kind.ChaosReport, 1);
    const hash = await registry.write.supersede([oldId, input(Kind.ChaosReport, "report v2")]);
    const newId = idOf(Kind.ChaosReport, 2);
    await viem.assertions.emitWithArgs(hash, registry, "RecordRevoked", [oldId, PROPOSAL_ID, newId]);
    assert.ok((await registry.read.getRecord([oldId])).revokedAt > 0);
    assert.equal((await registry.read.getRecord([newId])).ref, oldId);

    await viem.assertions.revertWithCustomErrorWithArgs(registry.write.revoke([oldId]), registry, "RegistryAlreadyRevoked", [oldId]);
    await viem.assertions.revertWithCustomErrorWithArgs(
      registry.write.supersede([newId, input(Kind.Incident, "wrong kind")]),
      registry,
      "RegistryKindMismatch",
      [newId, Kind.Incident],
    );
  });

  describe("rejects bad input, each with its own error", () => {
    const cases: Array<{ name: string; cid: Hex; error: "RegistryEmptyCid" | "RegistryMalformedCid" }> = [
      { name: "empty CID", cid: "0x", error: "RegistryEmptyCid" },
      { name: "CIDv0 (bare multihash)", cid: `0x1220${"22".repeat(32)}`, error: "RegistryMalformedCid" },
      { name: "CIDv1 with a 20-byte digest", cid: `0x01551114${"22".repeat(20)}`, error: "RegistryMalformedCid" },
      { name: "truncated digest", cid: `0x01551220${"22".repeat(31)}`, error: "RegistryMalformedCid" },
      { name: "trailing byte", cid: `0x01551220${"22".repeat(33)}`, error: "RegistryMalformedCid" },
      { name: "version 2", cid: `0x02551220${"22".repeat(32)}`, error: "RegistryMalformedCid" },
      { name: "unterminated varints", cid: `0x01ffffffff20${"22".repeat(32)}`, error: "RegistryMalformedCid" },
    ];
    for (const { name, cid, error } of cases) {
      it(name, async () => {
        const { registry } = await networkHelpers.loadFixture(deployStandaloneRegistry);
        await viem.assertions.revertWithCustomError(
          registry.write.record([{ kind: Kind.Model, schemaVersion: 1, ref: 0, round: 1, cid }]),
          registry,
          error,
        );
      });
    }

    it("unknown kind", async () => {
      const { registry } = await networkHelpers.loadFixture(deployStandaloneRegistry);
      await viem.assertions.revertWithCustomErrorWithArgs(registry.write.record([input(5, "x")]), registry, "RegistryUnknownKind", [5]);
    });

    it("reference to a record that does not exist", async () => {
      const { registry } = await networkHelpers.loadFixture(deployStandaloneRegistry);
      const missing = idOf(Kind.Model, 1);
      await viem.assertions.revertWithCustomErrorWithArgs(
        registry.write.record([input(Kind.Model, "orphan", missing)]),
        registry,
        "RegistryUnknownRecord",
        [missing],
      );
      await viem.assertions.revertWithCustomErrorWithArgs(registry.read.getRecord([missing]), registry, "RegistryUnknownRecord", [missing]);
    });

    it("reference by position to a record the proposal has not written", async () => {
      const { registry } = await networkHelpers.loadFixture(deployStandaloneRegistry);
      const sameProposal = (k: number) => 255 * 2 ** 40 + k;
      for (const ref of [sameProposal(0), sameProposal(2)]) {
        await viem.assertions.revertWithCustomErrorWithArgs(
          registry.write.recordBatch([[input(Kind.Model, "first"), input(Kind.Model, "second", ref)]]),
          registry,
          "RegistryUnknownRecord",
          [ref],
        );
      }
      // Each transaction starts with an empty list: a reference cannot reach into an earlier one.
      await registry.write.record([input(Kind.Model, "alone")]);
      await viem.assertions.revertWithCustomErrorWithArgs(registry.write.record([input(Kind.Model, "late", sameProposal(1))]), registry, "RegistryUnknownRecord", [sameProposal(1)]);
    });

    it("empty batch", async () => {
      const { registry } = await networkHelpers.loadFixture(deployStandaloneRegistry);
      await viem.assertions.revertWithCustomError(registry.write.recordBatch([[]]), registry, "RegistryEmptyBatch");
    });

    it("a batch fails whole: one bad record writes nothing", async () => {
      const { registry } = await networkHelpers.loadFixture(deployStandaloneRegistry);
      await viem.assertions.revertWithCustomError(
        registry.write.recordBatch([[input(Kind.Model, "good"), { ...input(Kind.Model, "bad"), cid: "0x" }]]),
        registry,
        "RegistryEmptyCid",
      );
      assert.equal(await registry.read.recordCount([Kind.Model]), 0n);
    });
  });

  describe("access", () => {
    it("refuses writers other than governance", async () => {
      const { registry, stranger } = await networkHelpers.loadFixture(deployStandaloneRegistry);
      await viem.assertions.revertWithCustomErrorWithArgs(
        registry.write.record([input(Kind.Model, "x")], { account: stranger.account }),
        registry,
        "RegistryUnauthorized",
        [stranger.account.address],
      );
    });

    it("refuses governance writes outside a proposal's execution", async () => {
      const { registry, governor } = await networkHelpers.loadFixture(deployStandaloneRegistry);
      await governor.write.setExecutingProposalId([0n]);
      await viem.assertions.revertWithCustomError(registry.write.record([input(Kind.Model, "x")]), registry, "RegistryOutsideProposal");
    });

    it("in the deployed DAO, only an executed proposal writes; the timelock alone cannot", async () => {
      const synod = await networkHelpers.loadFixture(deploySynod);
      const { registry, timelock, keeper } = synod;
      await viem.assertions.revertWithCustomErrorWithArgs(
        registry.write.record([input(Kind.Model, "x")], { account: keeper.account }),
        registry,
        "RegistryUnauthorized",
        [keeper.account.address],
      );
      await networkHelpers.impersonateAccount(timelock.address);
      await networkHelpers.setBalance(timelock.address, 10n ** 18n);
      await viem.assertions.revertWithCustomError(
        registry.write.record([input(Kind.Model, "x")], { account: timelock.address }),
        registry,
        "RegistryOutsideProposal",
      );
      await networkHelpers.stopImpersonatingAccount(timelock.address);

      const { proposalId } = await pass(synod, [call(registry, "record", [input(Kind.Model, "ratified")])], "ratify");
      const [, latest] = await registry.read.latestModel();
      assert.equal(latest.proposalId, proposalId);
    });
  });
});
