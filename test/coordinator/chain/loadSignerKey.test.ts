import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { loadSignerKey } from "../../../coordinator/chain/loadSignerKey.ts";

const KEY = `0x${"11".repeat(32)}` as const;

describe("loadSignerKey", () => {
  it("prefers SYNOD_PRIVATE_KEY, with or without 0x", async () => {
    assert.equal(await loadSignerKey({ chainId: 1, env: { SYNOD_PRIVATE_KEY: KEY.slice(2) } }), KEY);
  });

  it("asks Hardhat (keystore or environment) only for non-local chains", async () => {
    let asked = 0;
    const hardhatAccount = async () => {
      asked++;
      return KEY;
    };
    assert.equal(await loadSignerKey({ chainId: 31337, env: {}, hardhatAccount }), undefined);
    assert.equal(asked, 0, "the local chain never unlocks the keystore");
    assert.equal(await loadSignerKey({ chainId: 11155111, env: {}, hardhatAccount }), KEY);
  });

  it("resolves Hardhat's configuration variable through the real config", async () => {
    const previous = { RPC_URL: process.env.RPC_URL, DEPLOYER_PRIVATE_KEY: process.env.DEPLOYER_PRIVATE_KEY };
    process.env.RPC_URL = "http://127.0.0.1:9";
    process.env.DEPLOYER_PRIVATE_KEY = KEY;
    try {
      assert.equal(await loadSignerKey({ chainId: 11155111, env: {} }), KEY);
    } finally {
      for (const [name, value] of Object.entries(previous)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });

  it("rejects a malformed key with the variable's name", async () => {
    await assert.rejects(loadSignerKey({ chainId: 1, env: { SYNOD_PRIVATE_KEY: "0x1234" } }), /SYNOD_PRIVATE_KEY is not a 32-byte hex private key/);
  });
});
