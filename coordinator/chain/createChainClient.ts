/**
 * The coordinator's connection to the chain: viem clients for reads and writes, and
 * typed handles on Synod's contracts.
 */
import {
  BaseError as ViemBaseError,
  HttpRequestError,
  TimeoutError,
  createPublicClient,
  createWalletClient,
  defineChain,
  getContract,
  http,
  type Account,
  type Chain,
  type Hex,
  type PublicClient,
  type Transport,
  type WalletClient,
} from "viem";
import { mnemonicToAccount, privateKeyToAccount } from "viem/accounts";
import { ChainUnavailableError, SignerMissingError } from "../errors/chain.ts";
import { knowledgeRegistryAbi, meshGovernorAbi, meshPolicyAbi, meshTokenAbi } from "./abis.ts";
import { resolveDeployment, type SynodAddresses } from "./resolveDeployment.ts";

/** The local chain's id (Hardhat), the only one where Hardhat's public test keys are used. */
export const LOCAL_CHAIN_ID = 31337;
const HARDHAT_MNEMONIC = "test test test test test test test test test test test junk";

export type CreateChainClientParameters = {
  /** JSON-RPC URL (`RPC_URL`, or the embedded chain's). */
  rpcUrl: string;
  /** Key that signs the keeper's transactions (`SYNOD_PRIVATE_KEY`); on the local chain defaults to Hardhat's account #0. */
  privateKey?: Hex | undefined;
  /** Project root, to find Ignition's deployment folder. */
  root: string;
  /** Environment for `SYNOD_*_ADDRESS` overrides. */
  env?: Record<string, string | undefined>;
  /** The contracts, when known (validated configuration); otherwise resolved from `env` and Ignition. */
  addresses?: SynodAddresses | undefined;
  /** Retries per request, with exponential backoff from `retryDelayMs`. Default 3 and 250 ms. */
  retryCount?: number;
  retryDelayMs?: number;
};

function contractsOf(addresses: SynodAddresses, client: { public: PublicClient; wallet?: WalletClient<Transport, Chain, Account> }) {
  const clients = client.wallet ? { public: client.public, wallet: client.wallet } : { public: client.public };
  return {
    token: getContract({ address: addresses.token, abi: meshTokenAbi, client: clients }),
    governor: getContract({ address: addresses.governor, abi: meshGovernorAbi, client: clients }),
    registry: getContract({ address: addresses.registry, abi: knowledgeRegistryAbi, client: clients }),
    policy: getContract({ address: addresses.policy, abi: meshPolicyAbi, client: clients }),
  };
}

export type ChainClient = Awaited<ReturnType<typeof createChainClient>>;

/**
 * Connects to the chain, resolves Synod's deployment and prepares a signer.
 *
 * @returns `publicClient`, `walletClient` (undefined without a key: read-only),
 * `account`, `addresses` and `contracts` (viem contract instances).
 * @throws {ChainUnavailableError} when the RPC does not answer.
 * @throws {DeploymentNotFoundError} when no deployment is known for the chain.
 *
 * @example
 * import { createChainClient } from "./createChainClient.ts";
 * const chain = await createChainClient({ rpcUrl: "http://127.0.0.1:8545", root: process.cwd() });
 * const count = await chain.contracts.governor.read.proposalCount();
 */
export async function createChainClient(parameters: CreateChainClientParameters) {
  const { rpcUrl, root, env = process.env } = parameters;
  const transport = http(rpcUrl, {
    retryCount: parameters.retryCount ?? 3,
    retryDelay: parameters.retryDelayMs ?? 250,
    timeout: 10_000,
  });
  const probe = createPublicClient({ transport });
  const chainId = await probe.getChainId().catch((cause: unknown) => {
    throw new ChainUnavailableError({ url: rpcUrl, cause });
  });
  const chain = defineChain({
    id: chainId,
    name: chainId === LOCAL_CHAIN_ID ? "Synod local" : `chain ${chainId}`,
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [rpcUrl] } },
  });
  // no block-number cache: "is the chain there?" must ask the chain
  const publicClient = createPublicClient({ chain, transport, pollingInterval: 500, cacheTime: 0 });
  const addresses = parameters.addresses ?? resolveDeployment({ chainId, root, env });

  const account = parameters.privateKey
    ? privateKeyToAccount(parameters.privateKey)
    : chainId === LOCAL_CHAIN_ID
      ? mnemonicToAccount(HARDHAT_MNEMONIC, { addressIndex: 0 })
      : undefined;
  const walletClient = account ? createWalletClient({ chain, transport, account }) : undefined;

  return {
    chainId,
    rpcUrl,
    publicClient,
    walletClient,
    account,
    addresses,
    contracts: contractsOf(addresses, walletClient ? { public: publicClient, wallet: walletClient } : { public: publicClient }),
    /** The wallet, or a clear error for read-only clients. */
    requireWallet(): WalletClient<Transport, Chain, Account> {
      if (!walletClient) throw new SignerMissingError({ chainId });
      return walletClient;
    },
  };
}

/**
 * Turns a viem transport failure into {@link ChainUnavailableError}; other errors
 * (reverts, bad arguments) are returned unchanged.
 */
export function toChainError(error: unknown, rpcUrl: string): unknown {
  if (error instanceof ChainUnavailableError) return error;
  if (error instanceof ViemBaseError) {
    const transport = error.walk((e) => e instanceof HttpRequestError || e instanceof TimeoutError);
    if (transport) return new ChainUnavailableError({ url: rpcUrl, cause: error });
  }
  return error;
}
