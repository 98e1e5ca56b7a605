/**
 * Hardhat's public demo accounts #1–#4: the local profile funds and self-delegates
 * them (ignition/modules/SynodLocal.ts), so a newcomer can vote without installing a
 * wallet. These keys are published in Hardhat's documentation and are worthless
 * anywhere but a local chain: the dApp offers them only when the target chain is 31337.
 */
import type { Hex } from "viem";

export const LOCAL_CHAIN_ID = 31337;

export const DEV_ACCOUNTS = [
  { index: 1, address: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8", privateKey: "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d" },
  { index: 2, address: "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC", privateKey: "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a" },
  { index: 3, address: "0x90F79bf6EB2c4f870365E785982E1f101E93b906", privateKey: "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6" },
  { index: 4, address: "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65", privateKey: "0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a" },
] as const satisfies ReadonlyArray<{ index: number; address: Hex; privateKey: Hex }>;
