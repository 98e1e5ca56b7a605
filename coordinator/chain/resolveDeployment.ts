/**
 * Where Synod's contracts are on a chain: from the environment, or from the folder
 * Ignition writes when it deploys (`ignition/deployments/<id>/deployed_addresses.json`).
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { getAddress, isAddress, type Address } from "viem";
import { DeploymentNotFoundError } from "../errors/chain.ts";

export type SynodAddresses = {
  token: Address;
  governor: Address;
  timelock?: Address;
  registry: Address;
  policy: Address;
};

export type ResolveDeploymentParameters = {
  chainId: number;
  /** Project root holding `ignition/deployments`. */
  root: string;
  /** Environment to read `SYNOD_*_ADDRESS` from. */
  env?: Record<string, string | undefined>;
};

const IGNITION_KEYS = {
  token: "Synod#MeshToken",
  governor: "Synod#MeshGovernor",
  timelock: "Synod#TimelockController",
  registry: "Synod#KnowledgeRegistry",
  policy: "Synod#MeshPolicy",
} as const;

/**
 * Resolves the contract addresses for `chainId`.
 *
 * Order: all four `SYNOD_{TOKEN,GOVERNOR,REGISTRY,POLICY}_ADDRESS` variables; else the
 * Ignition deployments `synod-local-<chainId>`, `synod-production-<chainId>`,
 * `chain-<chainId>` (the ids `npm start` and `npm run deploy:local` use).
 *
 * @throws {DeploymentNotFoundError} listing where it looked.
 */
export function resolveDeployment({ chainId, root, env = process.env }: ResolveDeploymentParameters): SynodAddresses {
  const fromEnv = {
    token: env.SYNOD_TOKEN_ADDRESS,
    governor: env.SYNOD_GOVERNOR_ADDRESS,
    registry: env.SYNOD_REGISTRY_ADDRESS,
    policy: env.SYNOD_POLICY_ADDRESS,
  };
  if (Object.values(fromEnv).every((value) => value && isAddress(value))) {
    return {
      token: getAddress(fromEnv.token!),
      governor: getAddress(fromEnv.governor!),
      registry: getAddress(fromEnv.registry!),
      policy: getAddress(fromEnv.policy!),
    };
  }
  const searched: string[] = [];
  for (const id of [`synod-local-${chainId}`, `synod-production-${chainId}`, `chain-${chainId}`]) {
    const file = path.join(root, "ignition", "deployments", id, "deployed_addresses.json");
    searched.push(path.relative(root, file));
    if (!existsSync(file)) continue;
    const deployed = JSON.parse(readFileSync(file, "utf8")) as Record<string, string>;
    const pick = (key: keyof typeof IGNITION_KEYS) => {
      const value = deployed[IGNITION_KEYS[key]];
      return value && isAddress(value) ? getAddress(value) : undefined;
    };
    const token = pick("token");
    const governor = pick("governor");
    const registry = pick("registry");
    const policy = pick("policy");
    if (token && governor && registry && policy) {
      const timelock = pick("timelock");
      return { token, governor, registry, policy, ...(timelock ? { timelock } : {}) };
    }
  }
  throw new DeploymentNotFoundError({ chainId, searched: ["SYNOD_*_ADDRESS", ...searched] });
}
