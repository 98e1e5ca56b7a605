/**
 * How `npm start` points the dApp at what it started: the environment it gives the
 * dApp's server is what `runtimeConfig` reads (no NEXT_PUBLIC_* the app never reads), and
 * the coordinator's CORS origins take in the dApp's origin on any port.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { corsOriginsWithDapp, dappEnvironment, runtimeConfig, synodConfig } from "../../app/synod.config.ts";
import { loadConfig } from "../../coordinator/config.ts";

describe("npm start's wiring of the dApp", () => {
  it("hands the dApp the chain, coordinator and gateway it started, on non-default ports", () => {
    const env = dappEnvironment({ rpcUrl: "http://127.0.0.1:38745", coordinatorUrl: "http://127.0.0.1:38987", chainId: 31337, env: {} });
    const config = runtimeConfig(env);
    assert.equal(config.rpcUrl, "http://127.0.0.1:38745");
    assert.equal(config.coordinatorUrl, "http://127.0.0.1:38987");
    assert.equal(config.gatewayUrl, "http://127.0.0.1:38987");
    assert.equal(config.targetChainId, 31337);
  });

  it("keeps what the operator set explicitly", () => {
    const env = dappEnvironment({
      rpcUrl: "http://127.0.0.1:38745",
      coordinatorUrl: "http://127.0.0.1:38987",
      chainId: 11155111,
      env: { SYNOD_RPC_URL: "https://rpc.example.org", SYNOD_GATEWAY_URL: "", SYNOD_COORDINATOR_URL: undefined },
    });
    assert.deepEqual(env, {
      SYNOD_RPC_URL: "https://rpc.example.org",
      SYNOD_COORDINATOR_URL: "http://127.0.0.1:38987",
      SYNOD_GATEWAY_URL: "http://127.0.0.1:38987",
      SYNOD_CHAIN_ID: "11155111",
    });
  });

  it("reads empty variables as unset (as .env.example leaves them)", () => {
    const config = runtimeConfig({ SYNOD_RPC_URL: "", SYNOD_CHAIN_ID: "", SYNOD_POLLING_INTERVAL_MS: "" });
    assert.equal(config.rpcUrl, synodConfig.rpcUrl);
    assert.equal(config.targetChainId, synodConfig.targetChainId);
    assert.equal(config.pollingIntervalMs, synodConfig.pollingIntervalMs);
  });

  it("lets the coordinator accept the dApp's origin on any port", () => {
    assert.equal(corsOriginsWithDapp(undefined, 3000), "http://127.0.0.1:3000,http://localhost:3000");
    assert.equal(corsOriginsWithDapp(undefined, 38400), "http://127.0.0.1:38400,http://localhost:38400");
    assert.equal(
      corsOriginsWithDapp("https://synod.example.org, http://127.0.0.1:38400", 38400),
      "https://synod.example.org,http://127.0.0.1:38400,http://localhost:38400",
    );
    const { config } = loadConfig({ SYNOD_CORS_ORIGINS: corsOriginsWithDapp(undefined, 38400) });
    assert.deepEqual(config.api.corsOrigins, ["http://127.0.0.1:38400", "http://localhost:38400"]);
  });
});
