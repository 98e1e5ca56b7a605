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

/** Reads the run-time overrides (server side only). Empty values count as unset (as in `.env.example`). */
export function runtimeConfig(env: Record<string, string | undefined>): RuntimeConfig {
  const value = (name: string) => (env[name] === "" ? undefined : env[name]);
  return {
    targetChainId: Number(value("SYNOD_CHAIN_ID") ?? synodConfig.targetChainId),
    rpcUrl: value("SYNOD_RPC_URL") ?? synodConfig.rpcUrl,
    gatewayUrl: value("SYNOD_GATEWAY_URL") ?? synodConfig.gatewayUrl,
    coordinatorUrl: value("SYNOD_COORDINATOR_URL") ?? synodConfig.coordinatorUrl,
    devAccounts: value("SYNOD_DEV_ACCOUNTS") ? value("SYNOD_DEV_ACCOUNTS") === "1" : synodConfig.devAccounts,
    walletConnectProjectId: value("NEXT_PUBLIC_WALLETCONNECT_PROJECT_ID") ?? synodConfig.walletConnectProjectId,
    logBlockRange: (value("SYNOD_LOG_BLOCK_RANGE") ?? synodConfig.logBlockRange).toString(),
    pollingIntervalMs: Number(value("SYNOD_POLLING_INTERVAL_MS") ?? synodConfig.pollingIntervalMs),
  };
}

/**
 * The environment `npm start` gives the dApp's server (`scripts/startApp.ts`) so that the
 * browser talks to the chain and the coordinator it started, on whatever ports: the
 * variables `runtimeConfig` reads, read per request, so no rebuild is needed. The
 * coordinator also serves the IPFS gateway (`GET /ipfs/{cid}`). Values already set in
 * `env` win (e.g. a public URL in front of the chain).
 */
export function dappEnvironment({
  rpcUrl,
  coordinatorUrl,
  chainId,
  env,
}: {
  rpcUrl: string;
  coordinatorUrl: string;
  chainId: number;
  env: Record<string, string | undefined>;
}): Record<"SYNOD_RPC_URL" | "SYNOD_COORDINATOR_URL" | "SYNOD_GATEWAY_URL" | "SYNOD_CHAIN_ID", string> {
  const value = (name: string) => (env[name] === "" ? undefined : env[name]);
  return {
    SYNOD_RPC_URL: value("SYNOD_RPC_URL") ?? rpcUrl,
    SYNOD_COORDINATOR_URL: value("SYNOD_COORDINATOR_URL") ?? coordinatorUrl,
    SYNOD_GATEWAY_URL: value("SYNOD_GATEWAY_URL") ?? coordinatorUrl,
    SYNOD_CHAIN_ID: value("SYNOD_CHAIN_ID") ?? String(chainId),
  };
}

/**
 * The coordinator's `SYNOD_CORS_ORIGINS` with the origins the dApp is served from on
 * `appPort` (`http://127.0.0.1:port`, `http://localhost:port`): a configured list is kept
 * and the dApp's origins appended when missing; unset, the dApp's origins alone (the
 * coordinator's default, for port 3000). The first origin is also where the coordinator's
 * Telegram links point.
 */
export function corsOriginsWithDapp(configured: string | undefined, appPort: number): string {
  const dapp = [`http://127.0.0.1:${appPort}`, `http://localhost:${appPort}`];
  const origins = (configured ?? "")
    .split(",")
    .map((origin) => origin.trim())
    .filter(Boolean);
  for (const origin of dapp) if (!origins.includes(origin)) origins.push(origin);
  return origins.join(",");
}
