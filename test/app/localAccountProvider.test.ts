import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { network } from "hardhat";
import { getAddress, numberToHex, parseEther, recoverMessageAddress, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { hardhat } from "viem/chains";
import { DEV_ACCOUNTS } from "../../app/lib/devAccounts.ts";
import { createLocalAccountProvider } from "../../app/lib/localAccountProvider.ts";
import { serveJsonRpc } from "../e2e/dappFixture.ts";

describe("dev accounts", () => {
  it("are Hardhat's accounts #1–#4, the demo voters of the local profile", async () => {
    const connection = await network.create();
    try {
      const wallets = await connection.viem.getWalletClients();
      for (const dev of DEV_ACCOUNTS) {
        assert.equal(privateKeyToAccount(dev.privateKey).address, dev.address);
        assert.equal(getAddress(wallets[dev.index]!.account.address), dev.address);
      }
    } finally {
      await connection.close();
    }
  });
});

describe("createLocalAccountProvider", () => {
  let connection: Awaited<ReturnType<typeof network.create>>;
  let rpc: Awaited<ReturnType<typeof serveJsonRpc>>;
  const dev = DEV_ACCOUNTS[1];

  before(async () => {
    connection = await network.create();
    rpc = await serveJsonRpc(connection.provider);
  });
  after(async () => {
    await rpc.close();
    await connection.close();
  });

  it("exposes no account until the user connects, and forgets it on disconnect", async () => {
    const changes: boolean[] = [];
    const provider = createLocalAccountProvider({
      privateKey: dev.privateKey,
      chain: hardhat,
      rpcUrl: rpc.url,
      onApprovalChange: (approved) => changes.push(approved),
    });
    assert.deepEqual(await provider.request({ method: "eth_accounts" }), []);
    assert.deepEqual(await provider.request({ method: "eth_requestAccounts" }), [dev.address]);
    assert.deepEqual(await provider.request({ method: "eth_accounts" }), [dev.address]);
    await provider.request({ method: "wallet_revokePermissions", params: [{ eth_accounts: {} }] });
    assert.deepEqual(await provider.request({ method: "eth_accounts" }), []);
    assert.deepEqual(changes, [true, false]);
  });

  it("knows only its chain", async () => {
    const provider = createLocalAccountProvider({ privateKey: dev.privateKey, chain: hardhat, rpcUrl: rpc.url });
    assert.equal(await provider.request({ method: "eth_chainId" }), numberToHex(31337));
    assert.equal(await provider.request({ method: "wallet_switchEthereumChain", params: [{ chainId: "0x7a69" }] }), null);
    await assert.rejects(provider.request({ method: "wallet_switchEthereumChain", params: [{ chainId: "0x1" }] }), { code: 4902 });
  });

  it("signs transactions locally and sends them raw; reads go to the node", async () => {
    const provider = createLocalAccountProvider({ privateKey: dev.privateKey, chain: hardhat, rpcUrl: rpc.url, approved: true });
    const to = "0x000000000000000000000000000000000000dEaD";
    const hash = (await provider.request({
      method: "eth_sendTransaction",
      params: [{ from: dev.address, to, value: numberToHex(parseEther("1.5")) }],
    })) as Hex;
    const publicClient = await connection.viem.getPublicClient();
    const receipt = await publicClient.waitForTransactionReceipt({ hash });
    assert.equal(receipt.status, "success");
    assert.equal(receipt.from.toLowerCase(), dev.address.toLowerCase());
    assert.equal(await provider.request({ method: "eth_getBalance", params: [to, "latest"] }), numberToHex(parseEther("1.5")));
  });

  it("signs messages with the account's key", async () => {
    const provider = createLocalAccountProvider({ privateKey: dev.privateKey, chain: hardhat, rpcUrl: rpc.url, approved: true });
    const signature = (await provider.request({ method: "personal_sign", params: ["0x68656c6c6f", dev.address] })) as Hex;
    assert.equal(await recoverMessageAddress({ message: { raw: "0x68656c6c6f" }, signature }), dev.address);
  });
});
