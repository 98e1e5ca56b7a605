/**
 * Turns a proposal's calls (targets, values, calldatas) into sentences people can
 * check before voting: "record a Model … CID bafk…", "set fl.targetParticipants to 15",
 * "ban node 0x…". Calldata is shown only when nothing known matches it.
 */
import { decodeFunctionData, formatEther, hexToString, isAddressEqual, type Abi, type Address, type Hex } from "viem";
import { FL_STRATEGIES } from "../../coordinator/policy/parameters.ts";
import { formatDuration, shortAddress } from "./format.ts";
import { formatRecordId, knowledgeKindName } from "./knowledge.ts";
import { cidFromHex } from "./verifyCid.ts";

export type KnownContract = { address: Address; abi: Abi };

/** The deployed contracts by name, as in `deployedContracts[chainId]`. */
export type KnownContracts = Record<string, KnownContract>;

export type DecodedAction = {
  /** Name of the contract called, or the raw address when unknown. */
  contract: string;
  target: Address;
  /** The function name, or `undefined` when the calldata matched nothing. */
  functionName: string | undefined;
  /** One sentence per effect (a batch of records gives one line per record). */
  lines: string[];
  value: bigint;
  data: Hex;
};

type RecordInput = { kind: number; schemaVersion: number; ref: number | bigint; round: number; cid: Hex };

/** A policy parameter name stored as bytes32 (`fl.minParticipants`). */
export function parameterName(name: Hex): string {
  return hexToString(name, { size: 32 }).replace(/\0+$/, "");
}

/** A policy value in the parameter's own words: strategies by name, `Ms` as a duration, `Bps` as %. */
export function formatParameterValue(name: string, value: bigint): string {
  if (name === "fl.strategy") return FL_STRATEGIES[Number(value)] ?? value.toString();
  if (name.endsWith("Ms")) return `${value} ms`;
  if (name.endsWith("Bps")) return `${value} bps (${(Number(value) / 100).toString()} %)`;
  if (name.endsWith("Milli")) return `${value} (${(Number(value) / 1000).toString()})`;
  if (name === "fl.dpEnabled") return value === 0n ? "0 (off)" : "1 (on)";
  return value.toString();
}

function describeRecord(input: RecordInput): string {
  let kind: string;
  try {
    kind = knowledgeKindName(input.kind);
  } catch {
    kind = `unknown kind ${input.kind}`;
  }
  let cid: string;
  try {
    cid = cidFromHex(input.cid).toString();
  } catch {
    cid = `malformed CID ${input.cid}`;
  }
  const parts = [`record ${kind} (round ${input.round}, schema v${input.schemaVersion}) CID ${cid}`];
  const ref = BigInt(input.ref);
  // `(255 << 40) | k`: the k-th record this same proposal writes (its id is not known before execution).
  if (ref >> 40n === 255n) parts.push(`building on record ${ref & 0xffffffffffn} of this proposal`);
  else if (ref !== 0n) parts.push(`building on ${formatRecordId(input.ref)}`);
  return parts.join(", ");
}

/** "ratify knowledge epoch 7: 30 Models, 1 Incident (31 records), root 0x…, manifest bafy…". */
function describeEpoch(epoch: bigint, root: Hex, manifestCid: Hex, counts: readonly number[]): string {
  const total = counts.reduce((sum, n) => sum + n, 0);
  const perKind = counts.flatMap((n, kind) => (n > 0 ? [`${n} ${knowledgeKindName(kind)}${n === 1 ? "" : "s"}`] : []));
  let manifest: string;
  try {
    manifest = cidFromHex(manifestCid).toString();
  } catch {
    manifest = `malformed CID ${manifestCid}`;
  }
  return `ratify knowledge epoch ${epoch}: ${perKind.join(", ") || "no records"} (${total} record${total === 1 ? "" : "s"}), Merkle root ${root}, manifest ${manifest}`;
}

const seconds = (value: unknown) => `${value} s (${formatDuration(Number(value))})`;

function describeCall(contract: string, functionName: string, args: readonly unknown[]): string[] {
  // `args` were decoded against the function's own ABI entry, so each case knows their
  // types; the switch is keyed on names, which TypeScript cannot relate to the ABI.
  const a = args as readonly any[];
  switch (`${contract}.${functionName}`) {
    case "KnowledgeRegistry.record":
      return [describeRecord(a[0])];
    case "KnowledgeRegistry.recordBatch":
      return (a[0] as RecordInput[]).map(describeRecord);
    case "KnowledgeRegistry.recordEpoch":
      return [describeEpoch(a[0], a[1], a[2], a[3])];
    case "KnowledgeRegistry.revoke":
      return [`revoke ${formatRecordId(a[0])}`];
    case "KnowledgeRegistry.supersede":
      return [`revoke ${formatRecordId(a[0])} and replace it: ${describeRecord(a[1])}`];
    case "MeshPolicy.setParameter": {
      const name = parameterName(a[0]);
      return [`set ${name} to ${formatParameterValue(name, a[1])}`];
    }
    case "MeshPolicy.setParameters":
      return (a[0] as Hex[]).map((raw, i) => {
        const name = parameterName(raw);
        return `set ${name} to ${formatParameterValue(name, (a[1] as bigint[])[i] ?? 0n)}`;
      });
    case "MeshPolicy.defineParameter": {
      const name = parameterName(a[0]);
      return [`define ${name} in [${a[1]}, ${a[2]}] with value ${formatParameterValue(name, a[3])}`];
    }
    case "MeshPolicy.banNode":
      return [`ban node ${a[0]}`];
    case "MeshPolicy.unbanNode":
      return [`lift the ban on node ${a[0]}`];
    case "MeshGovernor.setVotingDelay":
      return [`set the voting delay to ${seconds(a[0])}`];
    case "MeshGovernor.setVotingPeriod":
      return [`set the voting period to ${seconds(a[0])}`];
    case "MeshGovernor.setProposalThreshold":
      return [`set the proposal threshold to ${formatEther(a[0])} MESH`];
    case "MeshGovernor.updateQuorumNumerator":
      return [`set the quorum to ${a[0]} % of the supply`];
    case "MeshGovernor.setLateQuorumVoteExtension":
      return [`set the late-quorum extension to ${seconds(a[0])}`];
    case "MeshGovernor.setVetoThreshold":
      return [`set the veto threshold of routine proposals to ${a[0]} bps (${Number(a[0]) / 100} % of the supply)`];
    case "MeshGovernor.setGracePeriod":
      return [`set the grace period to queue to ${seconds(a[0])}`];
    case "TimelockController.updateDelay":
      return [`set the timelock delay to ${seconds(a[0])}`];
    case "MeshToken.transfer":
      return [`transfer ${formatEther(a[1])} MESH from the treasury to ${a[0]}`];
    default:
      return [`call ${contract}.${functionName}(${a.map(formatArg).join(", ")})`];
  }
}

function formatArg(value: unknown): string {
  if (typeof value === "bigint") return value.toString();
  if (Array.isArray(value)) return `[${value.map(formatArg).join(", ")}]`;
  if (value && typeof value === "object") return JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? v.toString() : v));
  return String(value);
}

/**
 * Decodes each call of a proposal against the known contracts.
 *
 * @param parameters.targets - the proposal's targets.
 * @param parameters.values - wei sent with each call.
 * @param parameters.calldatas - each call's calldata.
 * @param parameters.contracts - the deployed contracts, by name.
 * @returns one {@link DecodedAction} per call, in order.
 *
 * @example
 * import { deployedContracts } from "../contracts/deployedContracts.ts";
 * import { decodeProposalActions } from "./decodeProposalActions.ts";
 * const actions = decodeProposalActions({ targets, values, calldatas, contracts: deployedContracts[31337] });
 * actions[0].lines; // ["set fl.targetParticipants to 15"]
 */
export function decodeProposalActions({
  targets,
  values,
  calldatas,
  contracts,
}: {
  targets: readonly Address[];
  values: readonly bigint[];
  calldatas: readonly Hex[];
  contracts: KnownContracts;
}): DecodedAction[] {
  return targets.map((target, index) => {
    const value = values[index] ?? 0n;
    const data = calldatas[index] ?? "0x";
    const known = Object.entries(contracts).find(([, c]) => isAddressEqual(c.address, target));
    const contract = known?.[0] ?? target;
    const lines: string[] = [];
    let functionName: string | undefined;
    if (known && data !== "0x") {
      try {
        const decoded = decodeFunctionData({ abi: known[1].abi, data });
        functionName = decoded.functionName;
        lines.push(...describeCall(known[0], decoded.functionName, decoded.args ?? []));
      } catch {
        functionName = undefined;
      }
    }
    if (lines.length === 0 && data !== "0x") {
      lines.push(`call ${known ? known[0] : shortAddress(target)} with undecoded calldata ${data.slice(0, 10)}… (${(data.length - 2) / 2} bytes)`);
    }
    if (value > 0n) lines.push(`send ${formatEther(value)} ETH to ${known ? known[0] : target}`);
    return { contract, target, functionName, lines, value, data };
  });
}
