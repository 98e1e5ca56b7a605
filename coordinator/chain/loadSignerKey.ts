/**
 * Where the keeper's signing key comes from, in order:
 * 1. `SYNOD_PRIVATE_KEY` in the environment;
 * 2. for any other chain than the local one, Hardhat's configuration variable
 *    `DEPLOYER_PRIVATE_KEY` of the `remote` network — resolved by Hardhat, so it comes
 *    from the encrypted keystore (`npx hardhat keystore set DEPLOYER_PRIVATE_KEY`,
 *    which asks for the keystore password on the terminal) or from the environment;
 * 3. nothing: on the local chain the chain client then uses Hardhat's account #0,
 *    elsewhere it is read-only.
 */
import { isHex, type Hex } from "viem";
import { LOCAL_CHAIN_ID } from "./createChainClient.ts";

export type LoadSignerKeyParameters = {
  chainId: number;
  env?: Record<string, string | undefined>;
  /** Resolves Hardhat's `remote` account (injectable for tests). */
  hardhatAccount?: () => Promise<string | undefined>;
};

async function hardhatRemoteAccount(): Promise<string | undefined> {
  const { default: hre } = await import("hardhat");
  const remote = hre.config.networks.remote;
  if (!remote || remote.type !== "http" || !Array.isArray(remote.accounts)) return undefined;
  return remote.accounts[0]?.get();
}

/** @returns the key, or `undefined` when none is configured. */
export async function loadSignerKey({ chainId, env = process.env, hardhatAccount = hardhatRemoteAccount }: LoadSignerKeyParameters): Promise<Hex | undefined> {
  const fromEnv = env.SYNOD_PRIVATE_KEY?.trim();
  if (fromEnv) return asKey(fromEnv, "SYNOD_PRIVATE_KEY");
  if (chainId === LOCAL_CHAIN_ID) return undefined;
  const fromHardhat = await hardhatAccount().catch(() => undefined);
  return fromHardhat ? asKey(fromHardhat, "Hardhat's DEPLOYER_PRIVATE_KEY") : undefined;
}

function asKey(value: string, source: string): Hex {
  const key = value.startsWith("0x") ? value : `0x${value}`;
  if (!isHex(key) || key.length !== 66) throw new Error(`${source} is not a 32-byte hex private key`);
  return key;
}
