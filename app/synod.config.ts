/**
 * The dApp's defaults, in the style of scaffold-eth-2's `scaffold.config.ts`. Every URL
 * can be overridden at run time (not build time) by the server's environment —
 * `SYNOD_RPC_URL`, `SYNOD_GATEWAY_URL`, `SYNOD_COORDINATOR_URL`, `SYNOD_DEV_ACCOUNTS`,
 * `NEXT_PUBLIC_WALLETCONNECT_PROJECT_ID` — so one `next build` serves any chain port.
 */
export type SynodConfig = {
  /** Chain the DAO lives on; the wallet is asked to switch to it. */
  targetChainId: number;
  /** JSON-RPC endpoint the browser reads the chain from. */
  rpcUrl: string;
  /** IPFS trustless gateway (`GET /ipfs/{cid}` answering raw blocks). */
  gatewayUrl: string;
  /** Coordinator HTTP API (`/api/*`, `/health`). */
  coordinatorUrl: string;
  /** Offer Hardhat's public demo keys #1–#4 as wallets (only ever on the local chain). */
  devAccounts: boolean;
  /** WalletConnect Cloud project id; WalletConnect is offered only when set. */
  walletConnectProjectId: string;
  /** How far back (blocks) event reads go: proposal texts and votes. Bounded on purpose. */
  logBlockRange: bigint;
  /** Milliseconds between polls of chain reads (no refetch on every block). */
  pollingIntervalMs: number;
};

export const synodConfig = {
  targetChainId: 31337,
  rpcUrl: "http://127.0.0.1:8545",
  gatewayUrl: "http://127.0.0.1:8787",
  coordinatorUrl: "http://127.0.0.1:8787",
  devAccounts: true,
  walletConnectProjectId: "",
  logBlockRange: 50_000n,
  pollingIntervalMs: 4_000,
} as const satisfies SynodConfig;

/** What the server hands the browser: the defaults with the environment applied. */
export type RuntimeConfig = Omit<SynodConfig, "logBlockRange"> & { logBlockRange: string };

/** Reads the run-time overrides (server side only). */
export function runtimeConfig(env: Record<string, string | undefined>): RuntimeConfig {
  return {
    targetChainId: Number(env.SYNOD_CHAIN_ID ?? synodConfig.targetChainId),
    rpcUrl: env.SYNOD_RPC_URL ?? synodConfig.rpcUrl,
    gatewayUrl: env.SYNOD_GATEWAY_URL ?? synodConfig.gatewayUrl,
    coordinatorUrl: env.SYNOD_COORDINATOR_URL ?? synodConfig.coordinatorUrl,
    devAccounts: env.SYNOD_DEV_ACCOUNTS ? env.SYNOD_DEV_ACCOUNTS === "1" : synodConfig.devAccounts,
    walletConnectProjectId: env.NEXT_PUBLIC_WALLETCONNECT_PROJECT_ID ?? synodConfig.walletConnectProjectId,
    logBlockRange: (env.SYNOD_LOG_BLOCK_RANGE ?? synodConfig.logBlockRange).toString(),
    pollingIntervalMs: Number(env.SYNOD_POLLING_INTERVAL_MS ?? synodConfig.pollingIntervalMs),
  };
}
