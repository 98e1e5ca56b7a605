import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { getAddress, hexToString } from "viem";
import { LOCAL, call, deploySynod, networkHelpers, pass, viem } from "../../fixtures/synod.ts";
import { POLICY_PARAMETERS, policyParameterKey } from "../../../coordinator/policy/parameters.ts";

const key = policyParameterKey;

async function deployStandalonePolicy() {
  const [governance, stranger] = await viem.getWalletClients();
  const policy = await viem.deployContract("MeshPolicy", [
    governance!.account.address,
    [key("fl.minParticipants"), key("mapek.euphoricMilli")],
    [1n, 0n],
    [100n, 10_000n],
    [3n, 1456n],
  ]);
  return { policy, governance: governance!, stranger: stranger! };
}

describe("MeshPolicy", () => {
  it("is deployed with every parameter the coordinator reads, at its default", async () => {
    const { policy } = await networkHelpers.loadFixture(deploySynod);
    const onChain = await policy.read.parameters();
    assert.deepEqual(
      onChain.map((p) => [hexToString(p.name, { size: 32 }), p.value, p.min, p.max]),
      // the local profile overrides the epoch length (Ignition parameter `knowledgeEpochSeconds`)
      POLICY_PARAMETERS.map((p) => [p.name, p.name === "knowledge.epochSeconds" ? LOCAL.knowledgeEpochSeconds : p.value, p.min, p.max]),
    );
  });

  it("changes a parameter and bans a node through a passed proposal", async () => {
    const synod = await networkHelpers.loadFixture(deploySynod);
    const node = synod.outsiders[0]!.account.address;
    const { receipt } = await pass(
      synod,
      [
        call(synod.policy, "setParameters", [[key("fl.strategy"), key("fl.byzantineF")], [8n, 2n]]),
        call(synod.policy, "banNode", [node]),
      ],
      "switch to Bulyan and ban a Byzantine node",
    );
    assert.equal(receipt.status, "success");
    assert.equal(await synod.policy.read.getParameter([key("fl.strategy")]), 8n);
    assert.equal(await synod.policy.read.getParameter([key("fl.byzantineF")]), 2n);
    assert.equal(await synod.policy.read.isBanned([node]), true);
    assert.deepEqual(await synod.policy.read.bannedNodes(), [getAddress(node)]);
  });

  it("emits the old and new value on every change", async () => {
    const { policy } = await networkHelpers.loadFixture(deployStandalonePolicy);
    await viem.assertions.emitWithArgs(policy.write.setParameter([key("fl.minParticipants"), 5n]), policy, "ParameterSet", [
      key("fl.minParticipants"),
      3n,
      5n,
    ]);
  });

  it("defines new parameters through governance", async () => {
    const { policy } = await networkHelpers.loadFixture(deployStandalonePolicy);
    await policy.write.defineParameter([key("chaos.maxBlastRadiusBps"), 0n, 10_000n, 3_000n]);
    assert.equal(await policy.read.getParameter([key("chaos.maxBlastRadiusBps")]), 3_000n);
    assert.equal((await policy.read.parameters()).length, 3);
  });

  it("unbans a node", async () => {
    const { policy, stranger } = await networkHelpers.loadFixture(deployStandalonePolicy);
    await policy.write.banNode([stranger.account.address]);
    await policy.write.unbanNode([stranger.account.address]);
    assert.equal(await policy.read.isBanned([stranger.account.address]), false);
  });

  describe("rejects bad input, each with its own error", () => {
    it("unknown parameter", async () => {
      const { policy } = await networkHelpers.loadFixture(deployStandalonePolicy);
      await viem.assertions.revertWithCustomErrorWithArgs(policy.write.setParameter([key("nope"), 1n]), policy, "PolicyUnknownParameter", [key("nope")]);
      await viem.assertions.revertWithCustomErrorWithArgs(policy.read.getParameter([key("nope")]), policy, "PolicyUnknownParameter", [key("nope")]);
    });

    it("value out of bounds, on either side", async () => {
      const { policy } = await networkHelpers.loadFixture(deployStandalonePolicy);
      const name = key("fl.minParticipants");
      await viem.assertions.revertWithCustomErrorWithArgs(policy.write.setParameter([name, 0n]), policy, "PolicyValueOutOfBounds", [name, 0n, 1n, 100n]);
      await viem.assertions.revertWithCustomErrorWithArgs(policy.write.setParameter([name, 101n]), policy, "PolicyValueOutOfBounds", [name, 101n, 1n, 100n]);
      assert.equal(await policy.read.getParameter([name]), 3n, "unchanged");
    });

    it("a batch with one bad value changes nothing", async () => {
      const { policy } = await networkHelpers.loadFixture(deployStandalonePolicy);
      await viem.assertions.revertWithCustomError(
        policy.write.setParameters([[key("fl.minParticipants"), key("mapek.euphoricMilli")], [4n, 20_000n]]),
        policy,
        "PolicyValueOutOfBounds",
      );
      assert.equal(await policy.read.getParameter([key("fl.minParticipants")]), 3n);
    });

    it("mismatched arrays", async () => {
      const { policy } = await networkHelpers.loadFixture(deployStandalonePolicy);
      await viem.assertions.revertWithCustomError(policy.write.setParameters([[key("fl.minParticipants")], []]), policy, "PolicyLengthMismatch");
    });

    it("bad definitions: min above max, empty name, existing name", async () => {
      const { policy } = await networkHelpers.loadFixture(deployStandalonePolicy);
      const name = key("x");
      await viem.assertions.revertWithCustomErrorWithArgs(policy.write.defineParameter([name, 5n, 4n, 5n]), policy, "PolicyInvalidDefinition", [name, 5n, 4n]);
      const empty = `0x${"00".repeat(32)}` as const;
      await viem.assertions.revertWithCustomError(policy.write.defineParameter([empty, 0n, 1n, 0n]), policy, "PolicyInvalidDefinition");
      await viem.assertions.revertWithCustomErrorWithArgs(
        policy.write.defineParameter([key("fl.minParticipants"), 0n, 1n, 0n]),
        policy,
        "PolicyParameterExists",
        [key("fl.minParticipants")],
      );
    });

    it("banning the zero address, banning twice, unbanning a node that is not banned", async () => {
      const { policy, stranger } = await networkHelpers.loadFixture(deployStandalonePolicy);
      const zero = "0x0000000000000000000000000000000000000000";
      await viem.assertions.revertWithCustomError(policy.write.banNode([zero]), policy, "PolicyInvalidNode");
      await policy.write.banNode([stranger.account.address]);
      await viem.assertions.revertWithCustomError(policy.write.banNode([stranger.account.address]), policy, "PolicyNodeAlreadyBanned");
      await viem.assertions.revertWithCustomError(policy.write.unbanNode([zero]), policy, "PolicyNodeNotBanned");
    });
  });

  it("refuses every write from anyone but governance", async () => {
    const { policy, stranger } = await networkHelpers.loadFixture(deployStandalonePolicy);
    const as = { account: stranger.account };
    for (const attempt of [
      policy.write.setParameter([key("fl.minParticipants"), 4n], as),
      policy.write.setParameters([[key("fl.minParticipants")], [4n]], as),
      policy.write.defineParameter([key("y"), 0n, 1n, 0n], as),
      policy.write.banNode([stranger.account.address], as),
      policy.write.unbanNode([stranger.account.address], as),
    ]) {
      await viem.assertions.revertWithCustomErrorWithArgs(attempt, policy, "PolicyUnauthorized", [getAddress(stranger.account.address)]);
    }
  });
});
