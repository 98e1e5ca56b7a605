/**
 * `npm start`: brings Synod up on this machine and keeps it running until Ctrl-C.
 *
 * 1. the chain: an embedded Hardhat node on 127.0.0.1:8545 (`SYNOD_CHAIN_PORT`), unless
 *    `RPC_URL` points at another chain;
 * 2. the DAO, deployed by Ignition (local profile on the embedded chain);
 * 3. the coordinator (`coordinator/server.ts`): HTTP API on 127.0.0.1:8787, embedded
 *    IPFS (or `IPFS_API_URL`), the mesh in node-host processes running FL rounds, the
 *    MAPE-K loop and chaos engine over it, the knowledge keeper;
 * 4. the dApp on 127.0.0.1:3000 (`SYNOD_APP_PORT`; `--no-app` to skip), pointed at the
 *    chain, coordinator and gateway above (`SYNOD_RPC_URL`, `SYNOD_COORDINATOR_URL`,
 *    `SYNOD_GATEWAY_URL`, `SYNOD_CHAIN_ID`), the coordinator accepting its origin (CORS);
 * then prints the URLs and the demo accounts. Each part is a child process; Ctrl-C
 * (or SIGTERM) stops them all, newest first.
 *
 * Options: `--no-app`. Environment: see `.env.example`.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { readFile, rm } from "node:fs/promises";
import path from "node:path";
import { createPublicClient, createTestClient, formatEther, http, type Address } from "viem";
import { mnemonicToAccount } from "viem/accounts";
import { corsOriginsWithDapp, dappEnvironment } from "../app/synod.config.ts";
import { meshTokenAbi } from "../coordinator/chain/abis.ts";

const root = path.resolve(import.meta.dirname, "..");
const bin = (name: string) => path.join(root, "node_modules", ".bin", name);
const HARDHAT_MNEMONIC = "test test test test test test test test test test test junk";

const withApp = !process.argv.includes("--no-app");
const chainPort = Number(process.env.SYNOD_CHAIN_PORT ?? 8545);
const embedded = process.env.RPC_URL === undefined;
const rpcUrl = process.env.RPC_URL ?? `http://127.0.0.1:${chainPort}`;
const profile = process.env.SYNOD_NETWORK_PROFILE ?? (embedded ? "local" : "production");
const apiPort = Number(process.env.SYNOD_API_PORT ?? 8787);
const apiUrl = `http://127.0.0.1:${apiPort}`;
const appPort = Number(process.env.SYNOD_APP_PORT ?? 3000);

type Part = { name: string; child: ChildProcess };
const parts: Part[] = [];
let stopping = false;

const say = (text: string) => process.stdout.write(`synod: ${text}\n`);

/** Starts a part; its stderr (and its stdout unless `quietStdout`: the chain logs every RPC call) is shown, prefixed. */
function run(name: string, command: string, args: string[], env: Record<string, string> = {}, quietStdout = false): ChildProcess {
  const child = spawn(command, args, { cwd: root, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...env } });
  // Children log to stderr; keep their output, prefixed, so one terminal shows it all.
  const prefix = (chunk: Buffer) =>
    chunk
      .toString()
      .split("\n")
      .filter(Boolean)
      .map((line) => `[${name}] ${line}\n`)
      .join("");
  child.stderr?.on("data", (chunk: Buffer) => process.stderr.write(prefix(chunk)));
  if (!quietStdout) child.stdout?.on("data", (chunk: Buffer) => process.stderr.write(prefix(chunk)));
  parts.push({ name, child });
  child.on("exit", (code, signal) => {
    if (!stopping) {
      process.stderr.write(`synod: ${name} exited (${signal ?? `code ${code}`}); stopping everything\n`);
      void shutdown(1);
    }
  });
  return child;
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once("exit", () => resolve()));
}

/** The Ignition journal of an embedded chain's deployment: meaningless once that chain stops. */
let embeddedDeployment: string | undefined;

async function shutdown(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    say("stopping …");
    for (const { child } of [...parts].reverse()) {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      await Promise.race([exited(child), new Promise((resolve) => setTimeout(resolve, 12_000))]);
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    }
    if (embeddedDeployment) await rm(embeddedDeployment, { recursive: true, force: true });
  }
  process.exit(code);
}
process.on("SIGINT", () => void shutdown(0));
process.on("SIGTERM", () => void shutdown(0));

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (stopping) throw new Error("stopping");
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  throw new Error(`${what} did not come up within ${timeoutMs / 1000} s`);
}

try {
  if (embedded) {
    say(`starting the embedded chain on 127.0.0.1:${chainPort} …`);
    run("chain", bin("hardhat"), ["node", "--hostname", "127.0.0.1", "--port", String(chainPort)], {}, true);
  }
  const chain = createPublicClient({ transport: http(rpcUrl, { retryCount: 0 }) });
  const chainId = await waitFor("the chain", () => chain.getChainId(), 60_000);
  if (embedded) {
    // A real chain makes blocks whether or not anyone sends a transaction; a Hardhat node
    // only mines on transactions, so its clock (and every proposal's state) would stand
    // still between the keeper's rare epoch transactions. One block a second, as a chain would.
    await createTestClient({ mode: "hardhat", transport: http(rpcUrl) }).setIntervalMining({ interval: 1 });
  }

  say(`deploying the DAO (profile ${profile}) to chain ${chainId} …`);
  const module = profile === "local" ? "ignition/modules/SynodLocal.ts" : "ignition/modules/Synod.ts";
  // An embedded chain gets a journal of its own (by port): two `npm start`s on one
  // machine once shared one and each --reset it under the other's deployment.
  const deploymentId = embedded ? `synod-${profile}-p${chainPort}-${chainId}` : `synod-${profile}-${chainId}`;
  if (embedded) embeddedDeployment = path.join(root, "ignition", "deployments", deploymentId);
  const deploy = spawn(
    bin("hardhat"),
    [
      "ignition", "deploy", module,
      "--network", embedded ? "localhost" : "remote",
      "--parameters", `ignition/parameters/${profile}.json`,
      "--deployment-id", deploymentId,
      // a fresh embedded chain never holds an earlier deployment
      ...(embedded ? ["--reset"] : []),
    ],
    { cwd: root, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...(embedded ? { SYNOD_LOCALHOST_URL: rpcUrl } : {}) } },
  );
  const output: Buffer[] = [];
  deploy.stdout?.on("data", (chunk: Buffer) => output.push(chunk));
  deploy.stderr?.on("data", (chunk: Buffer) => output.push(chunk));
  const deployCode = await new Promise<number>((resolve) => deploy.on("exit", (code) => resolve(code ?? 1)));
  if (deployCode !== 0) {
    process.stderr.write(Buffer.concat(output));
    throw new Error("deployment failed");
  }
  const addresses = JSON.parse(await readFile(path.join(root, "ignition", "deployments", deploymentId, "deployed_addresses.json"), "utf8")) as Record<string, Address>;

  say("starting the coordinator …");
  run("coordinator", process.execPath, ["--import", "tsx", path.join(root, "coordinator", "server.ts")], {
    RPC_URL: rpcUrl,
    SYNOD_NETWORK_PROFILE: profile,
    SYNOD_API_PORT: String(apiPort),
    // what was just deployed, whatever the journal is called
    SYNOD_TOKEN_ADDRESS: addresses["Synod#MeshToken"] ?? "",
    SYNOD_GOVERNOR_ADDRESS: addresses["Synod#MeshGovernor"] ?? "",
    SYNOD_REGISTRY_ADDRESS: addresses["Synod#KnowledgeRegistry"] ?? "",
    SYNOD_POLICY_ADDRESS: addresses["Synod#MeshPolicy"] ?? "",
    // the browser reads the API from the dApp's origin, whatever its port
    ...(withApp ? { SYNOD_CORS_ORIGINS: corsOriginsWithDapp(process.env.SYNOD_CORS_ORIGINS, appPort) } : {}),
  });
  await waitFor("the coordinator", async () => ((await fetch(`${apiUrl}/health`)).status === 200 ? true : undefined), 120_000);

  if (withApp) {
    say("starting the dApp …");
    run("app", process.execPath, ["--import", "tsx", path.join(root, "scripts", "startApp.ts")], {
      SYNOD_APP_PORT: String(appPort),
      // read per request by app/synod.config.ts: the chain, coordinator and gateway started above
      ...dappEnvironment({ rpcUrl, coordinatorUrl: apiUrl, chainId, env: process.env }),
    });
    await waitFor("the dApp", async () => ((await fetch(`http://127.0.0.1:${appPort}/`)).ok ? true : undefined), 600_000);
  }

  const lines = [
    "",
    "Synod is up.",
    "",
    `  chain        ${rpcUrl} (chain id ${chainId})`,
    `  coordinator  ${apiUrl}  (health ${apiUrl}/health, metrics ${apiUrl}/metrics, events ${apiUrl}/api/events)`,
    ...(withApp ? [`  dApp         http://127.0.0.1:${appPort}`] : []),
    ...Object.entries(addresses).map(([name, address]) => `  ${name.replace(/^Synod#/, "").padEnd(18)} ${address}`),
  ];
  if (profile === "local") {
    lines.push("", "Demo accounts (Hardhat's public test keys: never use them on a real network):");
    for (const index of [0, 1, 2, 3, 4]) {
      const account = mnemonicToAccount(HARDHAT_MNEMONIC, { addressIndex: index });
      const role = index === 0 ? "coordinator / keeper" : `voter ${index}`;
      const key = Buffer.from(account.getHdKey().privateKey!).toString("hex");
      const votes = await chain.readContract({ address: addresses["Synod#MeshToken"]!, abi: meshTokenAbi, functionName: "getVotes", args: [account.address] });
      lines.push(`  #${index} ${account.address}  ${formatEther(votes)} MESH votes  (${role})  key 0x${key}`);
    }
  }
  const mesh = (await (await fetch(`${apiUrl}/api/fl/status`)).json()) as { nodes: { total: number } };
  lines.push(
    "",
    `Mesh: ${mesh.nodes.total} nodes${process.env.SYNOD_MESH_NODES_PER_HOST === "0" ? " in the coordinator process" : " in node-host processes, watched by the MAPE-K loop"}.`,
    "  npx synod fl status                                  FL rounds and the global model",
    "  npx synod mapek                                      MAPE-K state, φ, incidents",
    "  npx synod chaos run experiments/node-failure.yaml    break it for real and watch it heal",
    "",
    "Operator CLI: npx synod --help. Ctrl-C stops everything.",
    "",
  );
  process.stdout.write(lines.join("\n"));
} catch (error) {
  if (!stopping) {
    process.stderr.write(`synod: ${error instanceof Error ? error.message : String(error)}\n`);
    await shutdown(1);
  }
}
