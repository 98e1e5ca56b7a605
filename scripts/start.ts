/**
 * `npm start`: brings Synod up on this machine and keeps it running until Ctrl-C.
 *
 * Today that is the chain layer: an embedded Hardhat node on 127.0.0.1:8545 (unless
 * RPC_URL points at another chain) with the DAO deployed by Ignition, then the
 * addresses and the demo accounts. Each further service (coordinator, IPFS, dApp)
 * joins the same supervisor.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { createPublicClient, formatEther, http, type Address } from "viem";
import { mnemonicToAccount } from "viem/accounts";

const root = path.resolve(import.meta.dirname, "..");
const bin = (name: string) => path.join(root, "node_modules", ".bin", name);

const HARDHAT_MNEMONIC = "test test test test test test test test test test test junk";
const EMBEDDED_RPC = "http://127.0.0.1:8545";

const children: ChildProcess[] = [];

function run(command: string, args: string[], options: { quiet?: boolean } = {}): ChildProcess {
  const child = spawn(command, args, {
    cwd: root,
    stdio: options.quiet ? ["ignore", "pipe", "pipe"] : "inherit",
    env: process.env,
  });
  children.push(child);
  return child;
}

function finished(child: ChildProcess): Promise<number> {
  return new Promise((resolve) => child.on("exit", (code) => resolve(code ?? 1)));
}

async function waitForRpc(url: string, child: ChildProcess | undefined, timeoutMs = 60_000) {
  const client = createPublicClient({ transport: http(url, { retryCount: 0 }) });
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child && child.exitCode !== null) throw new Error(`the local chain exited with code ${child.exitCode}`);
    try {
      return await client.getChainId();
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  throw new Error(`no JSON-RPC answer from ${url} within ${timeoutMs / 1000} s`);
}

function shutdown(code: number) {
  for (const child of children) if (child.exitCode === null) child.kill("SIGTERM");
  process.exit(code);
}
process.on("SIGINT", () => shutdown(0));
process.on("SIGTERM", () => shutdown(0));

const rpcUrl = process.env.RPC_URL ?? EMBEDDED_RPC;
const embedded = process.env.RPC_URL === undefined;
const profile = process.env.SYNOD_NETWORK_PROFILE ?? (embedded ? "local" : "production");

let chain: ChildProcess | undefined;
if (embedded) {
  process.stdout.write("synod: starting the embedded chain on 127.0.0.1:8545 …\n");
  chain = run(bin("hardhat"), ["node", "--hostname", "127.0.0.1", "--port", "8545"], { quiet: true });
  chain.stderr?.pipe(process.stderr);
}
const chainId = await waitForRpc(rpcUrl, chain);

process.stdout.write(`synod: deploying the DAO (profile ${profile}) to chain ${chainId} …\n`);
const module = profile === "local" ? "ignition/modules/SynodLocal.ts" : "ignition/modules/Synod.ts";
const deploymentId = `synod-${profile}-${chainId}`;
const deploy = run(bin("hardhat"), [
  "ignition",
  "deploy",
  module,
  "--network",
  embedded ? "localhost" : "remote",
  "--parameters",
  `ignition/parameters/${profile}.json`,
  "--deployment-id",
  deploymentId,
  // a fresh embedded chain never holds an earlier deployment
  ...(embedded ? ["--reset"] : []),
], { quiet: true });
const deployOutput: Buffer[] = [];
deploy.stdout?.on("data", (chunk: Buffer) => deployOutput.push(chunk));
deploy.stderr?.on("data", (chunk: Buffer) => deployOutput.push(chunk));
if ((await finished(deploy)) !== 0) {
  process.stderr.write(Buffer.concat(deployOutput));
  process.stderr.write("synod: deployment failed\n");
  shutdown(1);
}

const addresses = JSON.parse(
  await readFile(path.join(root, "ignition", "deployments", deploymentId, "deployed_addresses.json"), "utf8"),
) as Record<string, Address>;

const client = createPublicClient({ transport: http(rpcUrl) });
const lines = [
  "",
  "Synod is up.",
  "",
  `  chain        ${embedded ? EMBEDDED_RPC : rpcUrl} (chain id ${chainId})`,
  ...Object.entries(addresses).map(([name, address]) => `  ${name.replace(/^Synod#/, "").padEnd(18)} ${address}`),
];
if (profile === "local") {
  lines.push("", "Demo accounts (Hardhat's public test keys: never use them on a real network):");
  for (const index of [0, 1, 2, 3, 4]) {
    const account = mnemonicToAccount(HARDHAT_MNEMONIC, { addressIndex: index });
    const role = index === 0 ? "coordinator / keeper" : `voter ${index}`;
    const key = Buffer.from(account.getHdKey().privateKey!).toString("hex");
    const balance = await client.readContract({
      address: addresses["Synod#MeshToken"]!,
      abi: [{ type: "function", name: "getVotes", stateMutability: "view", inputs: [{ type: "address" }], outputs: [{ type: "uint256" }] }],
      functionName: "getVotes",
      args: [account.address],
    });
    lines.push(`  #${index} ${account.address}  ${formatEther(balance)} MESH votes  (${role})  key 0x${key}`);
  }
}
lines.push("", "Ctrl-C stops everything.", "");
process.stdout.write(lines.join("\n"));

if (chain) {
  process.exitCode = await finished(chain);
  shutdown(process.exitCode);
}
