/**
 * Multicalls sized by what the calls return, not by how many there are.
 *
 * On a chain without Multicall3 (the local chain, 31337) viem runs a *deployless*
 * multicall: Multicall3's bytecode is executed as a contract creation inside `eth_call`
 * and the aggregated return data comes back as the "deployed code". EIP-170 caps code at
 * 24 KiB, so once the results of one multicall pass 24 KiB the call fails ("aggregate3
 * reverted", "trying to deploy a contract whose code is too large"). viem's own
 * `batchSize` only bounds the calldata of a chunk (36 bytes for `proposalDetailsAt(i)`),
 * and a proposal's details are kilobytes, so a handful of proposals filled a multicall.
 *
 * Here the calls are cut into chunks whose *return data* stays within
 * `RETURN_DATA_BUDGET` (half the cap): static return types are sized exactly from the
 * ABI; dynamic ones (arrays, bytes) by the largest return of that function seen on the
 * previous read, or a guess on the first. All chunks are sent at once (with the dApp's
 * JSON-RPC batching they share one HTTP request). A chunk that still fails (the guess was
 * low) is split in halves and retried; a single call that cannot be multicalled at all
 * (its own return over 24 KiB) is read with a plain `eth_call`, which has no such cap.
 */
import {
  BaseError,
  HttpRequestError,
  SocketClosedError,
  TimeoutError,
  WebSocketRequestError,
  decodeFunctionResult,
  encodeFunctionData,
  encodeFunctionResult,
  getAbiItem,
  type Abi,
  type AbiFunction,
  type AbiParameter,
  type Address,
  type PublicClient,
} from "viem";

/** Most return data one multicall may carry: half of EIP-170's 24 KiB code-size cap. */
export const RETURN_DATA_BUDGET = 12 * 1024;

/** aggregate3's encoding of one `Result { bool success; bytes returnData; }` beyond the data: its offset, `success`, the bytes' offset and length. */
const RESULT_OVERHEAD = 4 * 32;
/** The `Result[]` array's own offset and length. */
const RESULTS_HEADER = 2 * 32;
/** Assumed return size of a function with dynamic outputs before one has been seen. */
export const DYNAMIC_RETURN_GUESS = 2 * 1024;

export type ContractCall = {
  address: Address;
  abi: Abi | readonly unknown[];
  functionName: string;
  args?: readonly unknown[] | undefined;
};

/** The ABI-encoded size of a static parameter, or `undefined` when the type is dynamic (bytes, string, T[], tuples holding those). */
export function staticAbiSize(parameter: AbiParameter): number | undefined {
  const array = /^(.*)\[(\d*)\]$/.exec(parameter.type);
  if (array) {
    if (array[2] === "") return undefined;
    const element = staticAbiSize({ ...parameter, type: array[1]! } as AbiParameter);
    return element === undefined ? undefined : element * Number(array[2]);
  }
  if (parameter.type === "tuple") {
    let size = 0;
    for (const component of (parameter as { components: readonly AbiParameter[] }).components) {
      const part = staticAbiSize(component);
      if (part === undefined) return undefined;
      size += part;
    }
    return size;
  }
  if (parameter.type === "bytes" || parameter.type === "string") return undefined;
  return 32;
}

function abiFunction(call: ContractCall): AbiFunction {
  const item = getAbiItem({ abi: call.abi as Abi, name: call.functionName, args: call.args as never }) as AbiFunction | undefined;
  if (item?.type !== "function") throw new Error(`no function ${call.functionName} in the ABI`);
  return item;
}

/** The exact size of what `call` returns when its outputs are all static, else `undefined`. */
export function staticReturnSize(call: ContractCall): number | undefined {
  let size = 0;
  for (const output of abiFunction(call).outputs) {
    const part = staticAbiSize(output);
    if (part === undefined) return undefined;
    size += part;
  }
  return size;
}

/** Largest return (bytes) seen on the last read, per contract function with dynamic outputs. */
const seenReturnSizes = new Map<string, number>();
const functionKey = (call: ContractCall) => `${call.address.toLowerCase()}.${call.functionName}`;

/** What one call is expected to add to a multicall's return data. */
export function estimatedResultSize(call: ContractCall): number {
  const data = staticReturnSize(call) ?? seenReturnSizes.get(functionKey(call)) ?? DYNAMIC_RETURN_GUESS;
  return RESULT_OVERHEAD + Math.ceil(data / 32) * 32;
}

/**
 * Cuts `sizes` (each call's expected result size, in order) into consecutive chunks of
 * at most `budget` bytes of return data; a call larger than the budget gets a chunk of
 * its own. Returns each chunk as [start, end).
 */
export function planChunks(sizes: readonly number[], budget = RETURN_DATA_BUDGET): Array<[number, number]> {
  const chunks: Array<[number, number]> = [];
  let start = 0;
  let used = RESULTS_HEADER;
  for (let i = 0; i < sizes.length; i++) {
    if (i > start && used + sizes[i]! > budget) {
      chunks.push([start, i]);
      start = i;
      used = RESULTS_HEADER;
    }
    used += sizes[i]!;
  }
  if (sizes.length > start) chunks.push([start, sizes.length]);
  return chunks;
}

/** Whether the error is the transport failing (splitting the chunk would not help). */
function isTransportError(error: unknown): boolean {
  return (
    error instanceof BaseError &&
    Boolean(
      error.walk(
        (e) => e instanceof HttpRequestError || e instanceof TimeoutError || e instanceof WebSocketRequestError || e instanceof SocketClosedError,
      ),
    )
  );
}

const calldataBytes = (calls: readonly ContractCall[]) =>
  calls.reduce((sum, call) => sum + (encodeFunctionData({ abi: call.abi as Abi, functionName: call.functionName, args: call.args as never }).length - 2) / 2, 0);

/** One plain `eth_call`, past any multicall batching: no cap on the return size. */
async function readAlone(client: PublicClient, call: ContractCall): Promise<unknown> {
  const data = encodeFunctionData({ abi: call.abi as Abi, functionName: call.functionName, args: call.args as never });
  const { data: returned } = await client.call({ to: call.address, data, batch: false });
  return decodeFunctionResult({ abi: call.abi as Abi, functionName: call.functionName, args: call.args as never, data: returned ?? "0x" });
}

async function readChunk(client: PublicClient, calls: readonly ContractCall[]): Promise<unknown[]> {
  try {
    return (await client.multicall({
      allowFailure: false,
      contracts: calls as never,
      // One aggregate3 for exactly these calls: viem starts a new aggregate once the
      // calldata passes `batchSize`, which here is the chunk's whole calldata.
      batchSize: calldataBytes(calls),
      // Multicall3 is not deployed on the local chain: run its bytecode deployless.
      ...(client.chain?.contracts?.multicall3 ? {} : { deployless: true }),
    })) as unknown[];
  } catch (error) {
    if (isTransportError(error)) throw error;
    if (calls.length === 1) return [await readAlone(client, calls[0]!)];
    const half = Math.ceil(calls.length / 2);
    const [first, second] = await Promise.all([readChunk(client, calls.slice(0, half)), readChunk(client, calls.slice(half))]);
    return [...first, ...second];
  }
}

/**
 * Reads `calls` like `client.multicall({ allowFailure: false, contracts: calls })`, in as
 * many multicalls as their return data needs (see the top of this file). Results come in
 * the calls' order; a call that reverts rejects the whole read.
 */
export async function chunkedMulticall(client: PublicClient, calls: readonly ContractCall[]): Promise<unknown[]> {
  if (calls.length === 0) return [];
  const chunks = planChunks(calls.map(estimatedResultSize));
  const results = (await Promise.all(chunks.map(([start, end]) => readChunk(client, calls.slice(start, end))))).flat();
  // Remember how large the dynamic returns were, to size the next read's chunks.
  const largest = new Map<string, number>();
  calls.forEach((call, i) => {
    if (staticReturnSize(call) !== undefined) return;
    const size = (encodeFunctionResult({ abi: call.abi as Abi, functionName: call.functionName, result: results[i] as never }).length - 2) / 2;
    const key = functionKey(call);
    largest.set(key, Math.max(largest.get(key) ?? 0, size));
  });
  for (const [key, size] of largest) seenReturnSizes.set(key, size);
  return results;
}
