/**
 * The deployment manifest: the single record of which node hosts run where, which
 * node keys they carry and how each batch went. JSON at
 * `$SYNOD_DATA_DIR/mesh/deployment.json`, written atomically (temp file + rename) after
 * every step, so a deployer that dies half-way leaves a manifest `synod nodes rollback`
 * can act on. The coordinator admits the nodes of live batches from it when it starts.
 *
 * A rolled-back batch leaves `batches` (its hosts, pids and keys are gone) and is
 * remembered in `history` with why it failed.
 */
import { existsSync } from "node:fs";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { DeploymentManifestError } from "../../errors/mesh.ts";

const AddressSchema = z.string().regex(/^0x[0-9a-fA-F]{40}$/).transform((a) => a as `0x${string}`);

/** One node in the manifest. */
export const ManifestNodeSchema = z.strictObject({ nodeId: z.string(), index: z.number().int().nonnegative(), address: AddressSchema });

/** One node-host process. */
export const ManifestHostSchema = z.strictObject({
  hostId: z.string(),
  /** OS pid; `null` for a host started elsewhere (another machine) and only admitted here. */
  pid: z.number().int().positive().nullable(),
  /** The machine the pid belongs to. */
  machine: z.string(),
  keysFile: z.string().nullable(),
  logFile: z.string().nullable(),
  /** The failure this host was started with on purpose (tests), if any. */
  fault: z.string().nullable(),
  startedAt: z.string(),
  nodes: z.array(ManifestNodeSchema),
});
export type ManifestHost = z.infer<typeof ManifestHostSchema>;

/** A batch of nodes deployed, checked and (if need be) rolled back together. */
export const ManifestBatchSchema = z.strictObject({
  id: z.string(),
  stage: z.number().int().positive(),
  status: z.enum(["deploying", "healthy", "external"]),
  startedAt: z.string(),
  healthyAt: z.string().nullable(),
  hosts: z.array(ManifestHostSchema),
});
export type ManifestBatch = z.infer<typeof ManifestBatchSchema>;

/** A batch that was rolled back. */
export const RolledBackBatchSchema = z.strictObject({
  id: z.string(),
  stage: z.number().int().positive(),
  nodeIds: z.array(z.string()),
  pids: z.array(z.number().int()),
  reason: z.string(),
  rolledBackAt: z.string(),
});

export const DeploymentManifestSchema = z.strictObject({
  version: z.literal(1),
  coordinatorUrl: z.string(),
  /** The coordinator's control address the hosts were started with (`--control-address`); absent before host agents existed. */
  controlAddress: AddressSchema.nullable().optional(),
  updatedAt: z.string(),
  /** Next batch number (ids are never reused, so logs stay unambiguous). */
  nextBatch: z.number().int().positive(),
  batches: z.array(ManifestBatchSchema),
  history: z.array(RolledBackBatchSchema),
});
export type DeploymentManifest = z.infer<typeof DeploymentManifestSchema>;

/** Where the manifest of a data dir lives. */
export const manifestPath = (dataDir: string) => path.join(dataDir, "mesh", "deployment.json");

/** An empty manifest. */
export function emptyManifest(coordinatorUrl: string): DeploymentManifest {
  return { version: 1, coordinatorUrl, updatedAt: new Date().toISOString(), nextBatch: 1, batches: [], history: [] };
}

/**
 * Reads the manifest; `undefined` when there is none yet.
 * @throws {DeploymentManifestError} when it exists but is unreadable or invalid.
 */
export async function readManifest(file: string): Promise<DeploymentManifest | undefined> {
  if (!existsSync(file)) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, "utf8"));
  } catch (cause) {
    throw new DeploymentManifestError({ path: file, reason: "not readable JSON", cause });
  }
  const parsed = DeploymentManifestSchema.safeParse(raw);
  if (!parsed.success) throw new DeploymentManifestError({ path: file, reason: parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ") });
  return parsed.data;
}

let writes = 0;

/** Writes the manifest atomically (a reader never sees half a file). */
export async function writeManifest(file: string, manifest: DeploymentManifest): Promise<void> {
  manifest.updatedAt = new Date().toISOString();
  await mkdir(path.dirname(file), { recursive: true });
  // Unique per write: batches deployed in parallel write concurrently.
  const temp = `${file}.${process.pid}.${++writes}.tmp`;
  await writeFile(temp, `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o644 });
  await rename(temp, file);
}

/** Every node of the manifest's live batches, with its host and batch. */
export function manifestNodes(manifest: DeploymentManifest): Array<{ nodeId: string; address: `0x${string}`; hostId: string; batch: string }> {
  return manifest.batches.flatMap((batch) => batch.hosts.flatMap((host) => host.nodes.map((node) => ({ nodeId: node.nodeId, address: node.address, hostId: host.hostId, batch: batch.id }))));
}
