import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseEventLogs, zeroHash, type Hex } from "viem";
import {
  call,
  countsOf,
  deploySynod,
  endVoting,
  epochTree,
  networkHelpers,
  passUnopposed,
  propose,
  rawCid,
  viem,
  type RecordLeaf,
  type Synod,
} from "../../fixtures/synod.ts";

const Kind = { Model: 0, Incident: 1, ChaosReport: 2, MapekSnapshot: 3, Directive: 4 } as const;
const idOf = (kind: number, sequence: number) => kind * 2 ** 40 + sequence;

/** An epoch's records as the keeper would list them: models with lineage, an incident, a snapshot, a report. */
function epochLeaves(epoch: bigint, tag = ""): RecordLeaf[] {
  // later epochs hold later rounds, as the keeper's do
  const leaf = (kind: number, content: string, round: number, refCid: Hex = "0x"): RecordLeaf => ({
    epoch,
    kind,
    schemaVersion: 1,
    round: Number(epoch > 0n ? epoch - 1n : 0n) * 10 + round,
    cid: rawCid(`${tag}${content}`),
    refCid,
  });
  return [
    leaf(Kind.Model, "model round 1", 1),
    leaf(Kind.Model, "model round 2", 2, rawCid(`${tag}model round 1`)),
    leaf(Kind.Model, "model round 3", 3, rawCid(`${tag}model round 2`)),
    leaf(Kind.Incident, "host crash", 3),
    leaf(Kind.MapekSnapshot, "snapshot", 3),
    leaf(Kind.ChaosReport, "node failure report", 3),
    { ...leaf(Kind.Directive, "directive", 3), schemaVersion: 2 },
  ];
}

const manifestCid = (epoch: bigint) => rawCid(`manifest of epoch ${epoch}`);

/** Ratifies epochs 1 and 2 through real routine proposals (no votes), plus a headline model in epoch 1's. */
async function ratifiedEpochs() {
  const synod = await networkHelpers.loadFixture(deploySynod);
  const epochs = [];
  for (const epoch of [1n, 2n]) {
    const leaves = epochLeaves(epoch, `epoch ${epoch}: `);
    const tree = epochTree(leaves);
    const actions = [call(synod.registry, "recordEpoch", [epoch, tree.root, manifestCid(epoch), countsOf(leaves)])];
    if (epoch === 1n) {
      actions.push(call(synod.registry, "record", [{ kind: Kind.Model, schemaVersion: 1, ref: 0, round: leaves[2]!.round, cid: leaves[2]!.cid }]));
    }
    const { proposalId, receipt } = await passUnopposed(synod, actions, `# Knowledge epoch ${epoch}`);
    epochs.push({ epoch, leaves, tree, proposalId, receipt });
  }
  return { synod, epochs: epochs as [(typeof epochs)[0], (typeof epochs)[0]] };
}

/** A registry whose governance is a plain account and whose governor is a mock (see KnowledgeRegistry.test.ts). */
async function standaloneRegistry() {
  const [writer, stranger] = await viem.getWalletClients();
  const governor = await viem.deployContract("ExecutingProposalMock");
  await governor.write.setExecutingProposalId([0xabcdefn]);
  const registry = await viem.deployContract("KnowledgeRegistry", [writer!.account.address, governor.address]);
  return { registry, governor, writer: writer!, stranger: stranger! };
}

describe("KnowledgeRegistry epochs", () => {
  describe("a ratified epoch root", () => {
    it("is stored with its proposal, manifest and counts, and announced", async () => {
      const { synod, epochs } = await networkHelpers.loadFixture(ratifiedEpochs);
      const [first] = epochs;
      const stored = await synod.registry.read.getEpoch([1n]);
      assert.equal(stored.epoch, 1n);
      assert.equal(stored.root, first.tree.root);
      assert.equal(stored.proposalId, first.proposalId);
      assert.equal(stored.manifestCid, manifestCid(1n), "manifest CID comes back byte-for-byte");
      assert.deepEqual(stored.counts, [3, 1, 1, 1, 1]);
      assert.ok(stored.recordedAt > 0);
      assert.equal(await synod.registry.read.epochRoot([1n]), first.tree.root);
      assert.equal(await synod.registry.read.epochRoot([3n]), zeroHash, "an epoch never ratified has no root");
      assert.equal(await synod.registry.read.epochCount(), 2n);

      const [event] = parseEventLogs({ abi: synod.registry.abi, logs: first.receipt.logs, eventName: "EpochRecorded" });
      assert.deepEqual(event?.args, {
        epoch: 1n,
        proposalId: first.proposalId,
        root: first.tree.root,
        manifestCid: manifestCid(1n),
        counts: [3, 1, 1, 1, 1],
      });
      await viem.assertions.revertWithCustomErrorWithArgs(synod.registry.read.getEpoch([3n]), synod.registry, "RegistryUnknownEpoch", [3n]);
    });

    it("proves each of its records on chain, with the leaf hash StandardMerkleTree computes", async () => {
      const { synod, epochs } = await networkHelpers.loadFixture(ratifiedEpochs);
      for (const { tree, leaves, epoch } of epochs) {
        for (const [i, leaf] of leaves.entries()) {
          const proof = tree.proof(i);
          assert.equal(await synod.registry.read.leafHash([leaf]), tree.leafHash(leaf));
          assert.equal(await synod.registry.read.verifyRecord([leaf, proof]), true, `record ${i} of epoch ${epoch}`);
          assert.equal(await synod.registry.read.isRatified([epoch, tree.leafHash(leaf), proof]), true);
        }
      }
    });

    it("does not prove a record outside the epoch, or one with any field changed", async () => {
      const { synod, epochs } = await networkHelpers.loadFixture(ratifiedEpochs);
      const [first, second] = epochs;
      const leaf = first.leaves[1]!; // a model with a parent
      const proof = first.tree.proof(1);
      const changed: Array<[string, RecordLeaf]> = [
        ["epoch (another ratified epoch)", { ...leaf, epoch: 2n }],
        ["epoch (never ratified)", { ...leaf, epoch: 3n }],
        ["kind", { ...leaf, kind: Kind.Incident }],
        ["schemaVersion", { ...leaf, schemaVersion: 2 }],
        ["round", { ...leaf, round: 3 }],
        ["cid", { ...leaf, cid: rawCid("model round 2, tampered") }],
        ["refCid", { ...leaf, refCid: "0x" }],
      ];
      for (const [field, tampered] of changed) {
        assert.equal(await synod.registry.read.verifyRecord([tampered, proof]), false, field);
        assert.equal(await synod.registry.read.isRatified([tampered.epoch, first.tree.leafHash(tampered), proof]), false, field);
      }
      // a record of epoch 2 with epoch 1's root, a record in no epoch, a wrong or empty proof
      assert.equal(await synod.registry.read.isRatified([1n, second.tree.leafHash(second.leaves[0]!), second.tree.proof(0)]), false);
      const outsider = { ...leaf, cid: rawCid("never proposed"), refCid: "0x" as Hex };
      assert.equal(await synod.registry.read.verifyRecord([outsider, proof]), false);
      assert.equal(await synod.registry.read.verifyRecord([leaf, first.tree.proof(0)]), false);
      assert.equal(await synod.registry.read.verifyRecord([leaf, []]), false);
    });
  });

  describe("promotion", () => {
    it("writes a ratified record once, as its epoch's proposal, and latestModel sees it", async () => {
      const { synod, epochs } = await networkHelpers.loadFixture(ratifiedEpochs);
      const [first, second] = epochs;
      const [, headline] = await synod.registry.read.latestModel();
      assert.equal(headline.cid, first.leaves[2]!.cid, "the headline model named in epoch 1's proposal");

      // anyone may promote; epoch 2's newest model
      const [anyone] = synod.outsiders;
      const leaf = second.leaves[2]!;
      const hash = await synod.registry.write.promoteRecord([leaf, second.tree.proof(2)], { account: anyone!.account });
      const id = idOf(Kind.Model, 2);
      await viem.assertions.emitWithArgs(hash, synod.registry, "RecordPromoted", [2n, second.tree.leafHash(leaf), id]);
      await viem.assertions.emitWithArgs(hash, synod.registry, "RecordAdded", [id, Kind.Model, second.proposalId, 0, leaf.round, leaf.schemaVersion, leaf.cid]);

      const stored = await synod.registry.read.getRecord([id]);
      assert.equal(stored.cid, leaf.cid);
      assert.equal(stored.proposalId, second.proposalId, "ratified by the epoch's proposal");
      assert.equal(stored.round, leaf.round);
      assert.equal(stored.ref, 0);
      const [found, latest] = await synod.registry.read.latestModel();
      assert.equal(found, true);
      assert.equal(latest.id, id);

      await viem.assertions.revertWithCustomErrorWithArgs(
        synod.registry.write.promoteRecord([leaf, second.tree.proof(2)], { account: anyone!.account }),
        synod.registry,
        "RegistryAlreadyPromoted",
        [second.tree.leafHash(leaf), id],
      );
      assert.equal(await synod.registry.read.recordCount([Kind.Model]), 2n);
    });

    it("refuses a model that would roll latestModel back: older than the latest, or the latest again", async () => {
      const { synod, epochs } = await networkHelpers.loadFixture(ratifiedEpochs);
      const [first] = epochs;
      const [anyone] = synod.outsiders;
      const [, headline] = await synod.registry.read.latestModel();
      for (const i of [0, 1, 2]) {
        const leaf = first.leaves[i]!;
        if (leaf.kind !== Kind.Model) continue;
        await viem.assertions.revertWithCustomErrorWithArgs(
          synod.registry.write.promoteRecord([leaf, first.tree.proof(i)], { account: anyone!.account }),
          synod.registry,
          "RegistryStaleModel",
          [leaf.round, headline.round],
        );
      }
      const [, after] = await synod.registry.read.latestModel();
      assert.equal(after.id, headline.id, "latestModel unchanged");
    });

    it("refuses a record the epoch did not ratify, and an epoch that has no root", async () => {
      const { synod, epochs } = await networkHelpers.loadFixture(ratifiedEpochs);
      const [first] = epochs;
      const tampered = { ...first.leaves[0]!, round: 99 };
      await viem.assertions.revertWithCustomErrorWithArgs(
        synod.registry.write.promoteRecord([tampered, first.tree.proof(0)]),
        synod.registry,
        "RegistryInvalidProof",
        [1n, first.tree.leafHash(tampered)],
      );
      const unratified = { ...first.leaves[0]!, epoch: 9n };
      await viem.assertions.revertWithCustomErrorWithArgs(
        synod.registry.write.promoteRecord([unratified, first.tree.proof(0)]),
        synod.registry,
        "RegistryUnknownEpoch",
        [9n],
      );
    });

    it("refuses a ratified leaf whose kind or CID the registry cannot store", async () => {
      const { registry } = await networkHelpers.loadFixture(standaloneRegistry);
      const leaves: RecordLeaf[] = [
        { epoch: 1n, kind: 7, schemaVersion: 1, round: 1, cid: rawCid("unknown kind"), refCid: "0x" },
        { epoch: 1n, kind: Kind.Model, schemaVersion: 1, round: 1, cid: "0x1220aa", refCid: "0x" },
      ];
      const tree = epochTree(leaves);
      await registry.write.recordEpoch([1n, tree.root, manifestCid(1n), [1, 0, 0, 0, 0]]);
      await viem.assertions.revertWithCustomErrorWithArgs(registry.write.promoteRecord([leaves[0]!, tree.proof(0)]), registry, "RegistryUnknownKind", [7]);
      await viem.assertions.revertWithCustomError(registry.write.promoteRecord([leaves[1]!, tree.proof(1)]), registry, "RegistryMalformedCid");
    });
  });

  describe("recordEpoch refuses", () => {
    const counts = [1, 0, 0, 0, 0] as const;
    const root = `0x${"ab".repeat(32)}` as Hex;

    it("writers other than governance", async () => {
      const { registry, stranger } = await networkHelpers.loadFixture(standaloneRegistry);
      await viem.assertions.revertWithCustomErrorWithArgs(
        registry.write.recordEpoch([1n, root, manifestCid(1n), counts], { account: stranger.account }),
        registry,
        "RegistryUnauthorized",
        [stranger.account.address],
      );
    });

    it("governance outside a proposal's execution, and the deployed timelock acting alone", async () => {
      const { registry, governor } = await networkHelpers.loadFixture(standaloneRegistry);
      await governor.write.setExecutingProposalId([0n]);
      await viem.assertions.revertWithCustomError(registry.write.recordEpoch([1n, root, manifestCid(1n), counts]), registry, "RegistryOutsideProposal");

      const synod: Synod = await networkHelpers.loadFixture(deploySynod);
      await networkHelpers.impersonateAccount(synod.timelock.address);
      await networkHelpers.setBalance(synod.timelock.address, 10n ** 18n);
      await viem.assertions.revertWithCustomError(
        synod.registry.write.recordEpoch([1n, root, manifestCid(1n), counts], { account: synod.timelock.address }),
        synod.registry,
        "RegistryOutsideProposal",
      );
      await networkHelpers.stopImpersonatingAccount(synod.timelock.address);
    });

    it("an epoch ratified already, through a second proposal", async () => {
      const { synod } = await networkHelpers.loadFixture(ratifiedEpochs);
      const action = call(synod.registry, "recordEpoch", [1n, root, manifestCid(1n), counts]);
      const { proposalId } = await propose(synod, [action], "epoch 1 again");
      await endVoting(synod, proposalId);
      await synod.governor.write.queue([proposalId]);
      await networkHelpers.time.increaseTo((await synod.governor.read.proposalEta([proposalId])) + 1n);
      await viem.assertions.revertWithCustomErrorWithArgs(
        synod.governor.write.execute([proposalId]),
        synod.registry,
        "RegistryEpochExists",
        [1n],
      );
    });

    it("a zero root, epoch 0, and a malformed manifest CID", async () => {
      const { registry } = await networkHelpers.loadFixture(standaloneRegistry);
      await viem.assertions.revertWithCustomError(registry.write.recordEpoch([1n, zeroHash, manifestCid(1n), counts]), registry, "RegistryEmptyRoot");
      await viem.assertions.revertWithCustomErrorWithArgs(registry.write.recordEpoch([0n, root, manifestCid(0n), counts]), registry, "RegistryUnknownEpoch", [0n]);
      await viem.assertions.revertWithCustomError(registry.write.recordEpoch([1n, root, "0x", counts]), registry, "RegistryEmptyCid");
      await viem.assertions.revertWithCustomError(registry.write.recordEpoch([1n, root, "0x1220aa", counts]), registry, "RegistryMalformedCid");
      assert.equal(await registry.read.epochCount(), 0n);
    });

    it("counts up to 2^24 - 1 per kind, returned as given; one more is refused", async () => {
      const { registry } = await networkHelpers.loadFixture(standaloneRegistry);
      const largest = [16_777_215, 0, 1, 70_000, 12] as const;
      await registry.write.recordEpoch([1n, root, manifestCid(1n), largest]);
      assert.deepEqual((await registry.read.getEpoch([1n])).counts, largest);
      await viem.assertions.revertWithCustomErrorWithArgs(
        registry.write.recordEpoch([2n, root, manifestCid(2n), [1, 2, 3, 16_777_216, 5]]),
        registry,
        "RegistryEpochTooLarge",
        [3, 16_777_216],
      );
    });

    it("a duplicate in the same registry, keeping the first root", async () => {
      const { registry } = await networkHelpers.loadFixture(standaloneRegistry);
      await registry.write.recordEpoch([4n, root, manifestCid(4n), counts]);
      await viem.assertions.revertWithCustomErrorWithArgs(
        registry.write.recordEpoch([4n, `0x${"cd".repeat(32)}`, manifestCid(4n), counts]),
        registry,
        "RegistryEpochExists",
        [4n],
      );
      assert.equal(await registry.read.epochRoot([4n]), root);
      assert.equal(await registry.read.epochCount(), 1n);
    });
  });
});
