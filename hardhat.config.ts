import { createRequire } from "node:module";
import hardhatToolboxViem from "@nomicfoundation/hardhat-toolbox-viem";
import { configVariable, defineConfig } from "hardhat/config";

const require = createRequire(import.meta.url);

/**
 * The compiler comes from the `solc` npm package (pinned in package.json) so that
 * nothing is downloaded: this machine reaches the npm registry and nothing else.
 */
const solc = {
  version: "0.8.30",
  path: require.resolve("solc/soljson.js"),
  settings: {
    // A full OpenZeppelin Governor is over 24 KiB unoptimised.
    optimizer: { enabled: true, runs: 200 },
    evmVersion: "cancun",
  },
} as const;

export default defineConfig({
  plugins: [hardhatToolboxViem],
  solidity: {
    profiles: {
      default: solc,
      production: solc,
    },
    // TimelockController is used as OpenZeppelin ships it; build it for Ignition.
    npmFilesToBuild: ["@openzeppelin/contracts/governance/TimelockController.sol"],
  },
  paths: {
    tests: {
      nodejs: "test",
      solidity: "test/contracts",
    },
  },
  test: {
    solidity: {
      fuzz: { runs: 256, seed: "0x5730d" },
      invariant: { runs: 64, depth: 32, failOnRevert: false },
    },
  },
  networks: {
    localhost: {
      type: "http",
      chainType: "l1",
      // `npm start` sets this when its embedded chain listens elsewhere (SYNOD_CHAIN_PORT).
      url: process.env.SYNOD_LOCALHOST_URL ?? "http://127.0.0.1:8545",
    },
    // Any EVM chain: `RPC_URL` and a deployer key kept in Hardhat's keystore
    // (`npx hardhat keystore set DEPLOYER_PRIVATE_KEY`), never in git.
    remote: {
      type: "http",
      chainType: "l1",
      url: configVariable("RPC_URL"),
      accounts: [configVariable("DEPLOYER_PRIVATE_KEY")],
    },
  },
});
