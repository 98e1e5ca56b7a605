/**
 * An EIP-1193 provider backed by a local private key: signs transactions and messages
 * itself and forwards every read to a JSON-RPC endpoint. The dApp's dev wallets use it
 * on the local chain; the browser tests inject one as `window.ethereum`.
 */
import {
  createWalletClient,
  hexToBigInt,
  http,
  numberToHex,
  publicActions,
  type Chain,
  type Hex,
  type TypedDataDefinition,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";

export type Eip1193Listener = (...args: unknown[]) => void;

export type LocalAccountProvider = {
  request(args: { method: string; params?: unknown }): Promise<unknown>;
  on(event: string, listener: Eip1193Listener): void;
  removeListener(event: string, listener: Eip1193Listener): void;
};

export type CreateLocalAccountProviderParameters = {
  privateKey: Hex;
  chain: Chain;
  /** JSON-RPC endpoint; the chain's default otherwise. */
  rpcUrl?: string;
  /**
   * Whether the account is exposed before `eth_requestAccounts`. Like a browser
   * extension, the provider answers `eth_accounts` with `[]` until the user connects,
   * so a page never connects silently. Default false.
   */
  approved?: boolean;
  /** Told when the user connects (`true`) or disconnects (`false`), e.g. to remember it. */
  onApprovalChange?: (approved: boolean) => void;
};

/** EIP-1193 error: a plain object with a numeric `code`, as wallets throw. */
export class ProviderRpcError extends Error {
  readonly code: number;
  constructor(code: number, message: string) {
    super(message);
    this.code = code;
  }
}

type TransactionRequest = { to?: Hex; data?: Hex; value?: Hex; gas?: Hex; nonce?: Hex };

/**
 * Creates the provider.
 *
 * @example
 * import { hardhat } from "viem/chains";
 * import { createLocalAccountProvider } from "./localAccountProvider.ts";
 * const provider = createLocalAccountProvider({ privateKey: "0x59c6…690d", chain: hardhat });
 * await provider.request({ method: "eth_requestAccounts" }); // ["0x7099…79C8"]
 */
export function createLocalAccountProvider({
  privateKey,
  chain,
  rpcUrl,
  approved: initiallyApproved = false,
  onApprovalChange,
}: CreateLocalAccountProviderParameters): LocalAccountProvider {
  let approved = initiallyApproved;
  const account = privateKeyToAccount(privateKey);
  const client = createWalletClient({ account, chain, transport: http(rpcUrl) }).extend(publicActions);
  const listeners = new Map<string, Set<Eip1193Listener>>();
  const params = (value: unknown) => (Array.isArray(value) ? value : []) as unknown[];

  return {
    async request({ method, params: rawParams }) {
      const args = params(rawParams);
      switch (method) {
        case "eth_accounts":
          return approved ? [account.address] : [];
        case "eth_requestAccounts":
          if (!approved) {
            approved = true;
            onApprovalChange?.(true);
          }
          return [account.address];
        case "eth_chainId":
          return numberToHex(chain.id);
        case "wallet_switchEthereumChain": {
          const wanted = (args[0] as { chainId?: Hex } | undefined)?.chainId;
          if (wanted && hexToBigInt(wanted) === BigInt(chain.id)) return null;
          throw new ProviderRpcError(4902, `this wallet only knows chain ${chain.id}`);
        }
        case "wallet_revokePermissions":
          approved = false;
          onApprovalChange?.(false);
          return null;
        case "wallet_requestPermissions":
          throw new ProviderRpcError(4200, `${method} is not supported by a local account`);
        case "eth_sendTransaction": {
          const tx = (args[0] ?? {}) as TransactionRequest;
          return client.sendTransaction({
            to: tx.to ?? null,
            data: tx.data,
            value: tx.value ? hexToBigInt(tx.value) : undefined,
            gas: tx.gas ? hexToBigInt(tx.gas) : undefined,
            nonce: tx.nonce ? Number(hexToBigInt(tx.nonce)) : undefined,
          } as Parameters<typeof client.sendTransaction>[0]);
        }
        case "personal_sign":
          return account.signMessage({ message: { raw: args[0] as Hex } });
        case "eth_signTypedData_v4": {
          const typed = JSON.parse(args[1] as string) as TypedDataDefinition;
          return account.signTypedData(typed);
        }
        default:
          return client.request({ method, params: rawParams } as never);
      }
    },
    on(event, listener) {
      if (!listeners.has(event)) listeners.set(event, new Set());
      listeners.get(event)!.add(listener);
    },
    removeListener(event, listener) {
      listeners.get(event)?.delete(listener);
    },
  };
}
