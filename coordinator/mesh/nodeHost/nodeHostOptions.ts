/**
 * `synod node-host` options and the node keys file.
 *
 *   synod node-host --nodes K --coordinator URL [--first-index I] [--keys FILE]
 *                   [--data mnist|sensor] [--total-shards N] [--max-examples M] [--seed S]
 *                   [--heartbeat-ms MS] [--host-id ID] [--max-offline-ms MS]
 *                   [--fault wrong-key|no-heartbeat|bad-update-signature] [--stats-file FILE]
 *                   [--control-address 0x…] [--warm-spare true|false]
 *
 * `--control-address` is the coordinator's control address (`GET /api/mesh/control`;
 * `synod nodes deploy` passes it): the agent then opens a control socket and obeys
 * control messages signed by that key only. Without it the host runs its nodes but
 * takes no faults from the coordinator. `--warm-spare` (default true) keeps a second
 * worker process loaded and waiting, so a restart takes seconds (it costs that
 * process's memory).
 *
 * The keys file holds each node's id, global index and private key (JSON, mode 0600).
 * Without one, or when it does not exist yet, the host generates fresh keys and writes
 * them there (default `./node-keys-<host-id>.json`), so the same nodes come back with the
 * same identities after a restart; their addresses must then be admitted on the
 * coordinator (`synod nodes admit FILE`).
 */
import { existsSync } from "node:fs";
import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { getAddress } from "viem";
import { generatePrivateKey } from "viem/accounts";
import { z } from "zod";
import { NodeHostOptionsError } from "../../errors/mesh.ts";
import { NodeIdSchema } from "../remote/wire.ts";
import { HOST_DATASETS, type HostDatasetName } from "./loadShards.ts";
import type { HostedNodeKey } from "./nodeHostRuntime.ts";
import { HOST_FAULTS, type HostFault } from "./workerChannel.ts";

/** Parsed `synod node-host` options. */
export type NodeHostOptions = {
  nodes: number;
  coordinatorUrl: string;
  firstIndex: number;
  keysFile: string;
  hostId: string;
  dataset: HostDatasetName;
  totalShards: number;
  maxExamples: number | undefined;
  seed: number;
  heartbeatMs: number;
  maxOfflineMs: number;
  fault: HostFault | undefined;
  statsFile: string | undefined;
  /** The coordinator's control address, checksummed. */
  controlAddress: `0x${string}` | undefined;
  warmSpare: boolean;
};

/** The keys file's content. */
export const NodeKeysFileSchema = z.strictObject({
  nodes: z.array(z.strictObject({ nodeId: NodeIdSchema, index: z.number().int().nonnegative(), privateKey: z.string().regex(/^0x[0-9a-fA-F]{64}$/) })).min(1),
});

/** Node id of global index `i`: `node-000`, `node-001`, … (three digits at least); another `prefix` for another family of nodes. */
export const nodeIdOf = (index: number, prefix = "node") => `${prefix}-${String(index).padStart(3, "0")}`;

const int = (issues: string[], name: string, value: string | undefined, fallback: number | undefined, min: number, max: number): number | undefined => {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    issues.push(`--${name}: must be an integer from ${min} to ${max}, got ${JSON.stringify(value)}`);
    return fallback;
  }
  return n;
};

/**
 * Parses `synod node-host` arguments, listing every problem at once.
 * @throws {NodeHostOptionsError}
 */
export function parseNodeHostArgs(argv: readonly string[]): NodeHostOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        nodes: { type: "string" },
        coordinator: { type: "string" },
        "first-index": { type: "string" },
        keys: { type: "string" },
        "host-id": { type: "string" },
        data: { type: "string" },
        "total-shards": { type: "string" },
        "max-examples": { type: "string" },
        seed: { type: "string" },
        "heartbeat-ms": { type: "string" },
        "max-offline-ms": { type: "string" },
        fault: { type: "string" },
        "stats-file": { type: "string" },
        "control-address": { type: "string" },
        "warm-spare": { type: "string" },
      },
    }));
  } catch (cause) {
    throw new NodeHostOptionsError({ issues: [cause instanceof Error ? cause.message : String(cause)] });
  }
  const issues: string[] = [];
  const nodes = int(issues, "nodes", values.nodes, undefined, 1, 5000);
  if (values.nodes === undefined) issues.push("--nodes: required (how many nodes this host carries)");
  let coordinatorUrl = values.coordinator ?? process.env.SYNOD_API_URL;
  if (!coordinatorUrl) issues.push("--coordinator: required (the coordinator's URL, e.g. http://10.0.0.5:8787), or set SYNOD_API_URL");
  else {
    try {
      const url = new URL(coordinatorUrl);
      if (url.protocol !== "http:" && url.protocol !== "https:") throw new Error("scheme");
      coordinatorUrl = coordinatorUrl.replace(/\/+$/, "");
    } catch {
      issues.push(`--coordinator: must be an http(s) URL, got ${JSON.stringify(coordinatorUrl)}`);
    }
  }
  const firstIndex = int(issues, "first-index", values["first-index"], 0, 0, 1_000_000) ?? 0;
  const dataset = (values.data ?? "mnist") as HostDatasetName;
  if (!HOST_DATASETS.includes(dataset)) issues.push(`--data: one of ${HOST_DATASETS.join(", ")}, got ${JSON.stringify(values.data)}`);
  const fault = values.fault as HostFault | undefined;
  if (fault !== undefined && !HOST_FAULTS.includes(fault)) issues.push(`--fault: one of ${HOST_FAULTS.join(", ")}, got ${JSON.stringify(values.fault)}`);
  const hostId = values["host-id"] ?? `${os.hostname()}-${firstIndex}`;
  if (!/^[A-Za-z0-9._-]{1,128}$/.test(hostId)) issues.push("--host-id: letters, digits, '.', '_' and '-', at most 128");
  const controlAddress = values["control-address"];
  if (controlAddress !== undefined && !/^0x[0-9a-fA-F]{40}$/.test(controlAddress)) issues.push(`--control-address: a 0x-prefixed 20-byte address (GET /api/mesh/control on the coordinator), got ${JSON.stringify(controlAddress)}`);
  const warmSpare = values["warm-spare"] ?? "true";
  if (warmSpare !== "true" && warmSpare !== "false") issues.push(`--warm-spare: true or false, got ${JSON.stringify(warmSpare)}`);
  const heartbeatMs = int(issues, "heartbeat-ms", values["heartbeat-ms"], 1000, 50, 600_000) ?? 1000;
  const options = {
    nodes: nodes ?? 1,
    coordinatorUrl: coordinatorUrl ?? "",
    firstIndex,
    keysFile: path.resolve(values.keys ?? `node-keys-${hostId}.json`),
    hostId,
    dataset,
    totalShards: int(issues, "total-shards", values["total-shards"], Math.max(500, firstIndex + (nodes ?? 1)), 1, 1_000_000) ?? 500,
    maxExamples: int(issues, "max-examples", values["max-examples"], undefined, 10, 10_000_000),
    seed: int(issues, "seed", values.seed, 1, 0, 2 ** 31) ?? 1,
    heartbeatMs,
    maxOfflineMs: int(issues, "max-offline-ms", values["max-offline-ms"], 5 * 60_000, 1000, 7 * 24 * 3_600_000) ?? 300_000,
    fault,
    statsFile: values["stats-file"] ? path.resolve(values["stats-file"]) : undefined,
    controlAddress: controlAddress && /^0x[0-9a-fA-F]{40}$/.test(controlAddress) ? getAddress(controlAddress) : undefined,
    warmSpare: warmSpare !== "false",
  };
  if (issues.length) throw new NodeHostOptionsError({ issues });
  return options;
}

/**
 * Reads the host's node keys, or creates the file with fresh keys for
 * `firstIndex … firstIndex + count − 1` when it does not exist.
 *
 * @returns the keys, in index order.
 * @throws {NodeHostOptionsError} when the file exists but is not a keys file, or holds a different number of nodes.
 */
export async function loadOrCreateNodeKeys(file: string, options: { count: number; firstIndex: number; prefix?: string }): Promise<HostedNodeKey[]> {
  if (existsSync(file)) {
    const parsed = NodeKeysFileSchema.safeParse(JSON.parse(await readFile(file, "utf8")));
    if (!parsed.success) throw new NodeHostOptionsError({ issues: parsed.error.issues.map((i) => `${file}: ${i.path.join(".")}: ${i.message}`) });
    if (parsed.data.nodes.length !== options.count) throw new NodeHostOptionsError({ issues: [`${file} holds ${parsed.data.nodes.length} nodes, --nodes says ${options.count}`] });
    return parsed.data.nodes.map((n) => ({ ...n, privateKey: n.privateKey as `0x${string}` }));
  }
  const nodes = Array.from({ length: options.count }, (_, i) => ({ nodeId: nodeIdOf(options.firstIndex + i, options.prefix), index: options.firstIndex + i, privateKey: generatePrivateKey() }));
  await writeNodeKeys(file, nodes);
  return nodes;
}

/** Writes a keys file readable by its owner only. */
export async function writeNodeKeys(file: string, nodes: readonly HostedNodeKey[]): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify({ nodes }, null, 2)}\n`, { mode: 0o600 });
  await chmod(file, 0o600);
}
