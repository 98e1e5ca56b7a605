/**
 * wagmi configuration for the dApp: the target chain with the run-time RPC URL,
 * reads batched into one deployless multicall (no Multicall3 needed on a local
 * chain), JSON-RPC batching, and RainbowKit's wallet list plus the local dev accounts.
 */
import { connectorsForWallets, type Wallet, type WalletList } from "@rainbow-me/rainbowkit";
import { injectedWallet, metaMaskWallet, walletConnectWallet } from "@rainbow-me/rainbowkit/wallets";
import { defineChain, type Chain } from "viem";
import { hardhat } from "viem/chains";
import { createConfig, createConnector, http } from "wagmi";
import { injected } from "wagmi/connectors";
import type { RuntimeConfig } from "../synod.config.ts";
import { DEV_ACCOUNTS, LOCAL_CHAIN_ID } from "./devAccounts.ts";
import { createLocalAccountProvider } from "./localAccountProvider.ts";

/** The chain the DAO lives on, reached through the configured RPC URL. */
export function targetChain(config: Pick<RuntimeConfig, "targetChainId" | "rpcUrl">): Chain {
  const base = config.targetChainId === LOCAL_CHAIN_ID ? hardhat : undefined;
  return defineChain({
    ...(base ?? {
      id: config.targetChainId,
      name: `Chain ${config.targetChainId}`,
      nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    }),
    id: config.targetChainId,
    name: base ? "Synod local chain" : `Chain ${config.targetChainId}`,
    rpcUrls: { default: { http: [config.rpcUrl] } },
  });
}

const DEV_ICON =
  "data:image/svg+xml;utf8," +
  encodeURIComponent(
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 28 28"><rect width="28" height="28" rx="6" fill="#7a4b00"/><text x="14" y="19" font-size="13" text-anchor="middle" fill="#fff" font-family="sans-serif">dev</text></svg>',
  );

/** A RainbowKit wallet that signs with one of Hardhat's public demo keys. */
function devWallet(account: (typeof DEV_ACCOUNTS)[number], chain: Chain, rpcUrl: string): () => Wallet {
  const id = `synod-dev-${account.index}`;
  const name = `Dev account #${account.index} (local demo key)`;
  let provider: ReturnType<typeof createLocalAccountProvider> | undefined;
  return () => ({
    id,
    name,
    shortName: `Dev #${account.index}`,
    iconUrl: DEV_ICON,
    iconBackground: "#7a4b00",
    installed: true,
    createConnector: (walletDetails) =>
      createConnector((config) => ({
        ...injected({
          target: () => {
            const key = `synod.${id}.connected`;
            provider ??= createLocalAccountProvider({
              privateKey: account.privateKey,
              chain,
              rpcUrl,
              // Reconnect after a reload only if the user connected this account before.
              approved: typeof localStorage !== "undefined" && localStorage.getItem(key) === "1",
              onApprovalChange: (approved) => {
                if (typeof localStorage === "undefined") return;
                if (approved) localStorage.setItem(key, "1");
                else localStorage.removeItem(key);
              },
            });
            // wagmi's injected connector wants an EIP-1193 provider; ours implements the subset it calls.
            return { id, name, provider: provider as never };
          },
        })(config),
        ...walletDetails,
      })),
  });
}

/** Builds the wagmi config from the run-time config. */
export function createWagmiConfig(config: RuntimeConfig) {
  const chain = targetChain(config);
  const walletList: WalletList = [
    {
      groupName: "Your wallet",
      wallets: config.walletConnectProjectId ? [injectedWallet, metaMaskWallet, walletConnectWallet] : [injectedWallet],
    },
  ];
  if (config.devAccounts && config.targetChainId === LOCAL_CHAIN_ID) {
    walletList.push({
      groupName: "Local chain demo accounts (public keys, never use elsewhere)",
      wallets: DEV_ACCOUNTS.map((account) => devWallet(account, chain, config.rpcUrl)),
    });
  }
  const connectors = connectorsForWallets(walletList, {
    appName: "Synod",
    projectId: config.walletConnectProjectId,
  });
  return createConfig({
    chains: [chain],
    connectors,
    ssr: true,
    batch: { multicall: { deployless: true, wait: 16 } },
    pollingInterval: config.pollingIntervalMs,
    transports: { [chain.id]: http(config.rpcUrl, { batch: true }) },
  });
}
