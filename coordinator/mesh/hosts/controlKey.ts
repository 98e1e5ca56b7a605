/**
 * The coordinator's control key: the secp256k1 key that signs control messages to
 * remote host agents (`controlMessage.ts`). Generated once from the OS's CSPRNG (never
 * derived from a seed anyone else knows) and kept at `$SYNOD_DATA_DIR/mesh/control-key`
 * (hex, mode 0600, like the admin token and node keys files). Its address is public:
 * agents are started with it (`--control-address`) and `GET /api/mesh/control` returns it.
 */
import { existsSync } from "node:fs";
import { chmod, mkdir, readFile, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import type { Address, Hex } from "viem";
import { generatePrivateKey } from "viem/accounts";
import { ControlKeyError } from "../../errors/mesh.ts";
import { addressOfKey } from "../remote/nodeMessage.ts";

/** Where a data dir's control key lives. */
export const controlKeyPath = (dataDir: string) => path.join(dataDir, "mesh", "control-key");

/** The control key and its address. */
export type ControlKey = { privateKey: Hex; address: Address; path: string; created: boolean };

/**
 * Reads the data dir's control key, or creates it (mode 0600) when there is none.
 *
 * @param dataDir - `SYNOD_DATA_DIR`.
 * @returns the key, its address, the file and whether it was created now.
 * @throws {ControlKeyError} when the file is not a key, or others than its owner may read it.
 * @example
 * import { loadOrCreateControlKey } from "./controlKey.ts";
 * const key = await loadOrCreateControlKey(config.dataDir);
 * const agents = new AgentRegistry({ controlKey: key.privateKey, admitted: (id) => mesh.admittedNode(id) });
 */
export async function loadOrCreateControlKey(dataDir: string): Promise<ControlKey> {
  const file = controlKeyPath(dataDir);
  if (existsSync(file)) {
    // As ssh does with identity files: a key others can read may be someone else's by now.
    if (process.platform !== "win32" && ((await stat(file)).mode & 0o077) !== 0) throw new ControlKeyError({ path: file, reason: "readable by others than its owner (chmod 600 it, or delete it to get a new key and redeploy the hosts)" });
    const text = (await readFile(file, "utf8")).trim();
    if (!/^0x[0-9a-fA-F]{64}$/.test(text)) throw new ControlKeyError({ path: file, reason: "not 32 bytes of 0x-hex" });
    const privateKey = text as Hex;
    return { privateKey, address: addressOfKey(privateKey), path: file, created: false };
  }
  const privateKey = generatePrivateKey();
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  // `wx`: two coordinators starting on one data dir never overwrite each other's key.
  await writeFile(file, `${privateKey}\n`, { mode: 0o600, flag: "wx" });
  await chmod(file, 0o600);
  return { privateKey, address: addressOfKey(privateKey), path: file, created: true };
}
