/**
 * The host processes behind a set of nodes, and every node they carry (the blast
 * radius of a process-level fault).
 */
import type { HostControl } from "../../mesh/hosts/hostControl.ts";
import type { FaultStatus } from "../fault.ts";
import type { ChaosSystem } from "../system.ts";

/** Unique hosts of `targets`, the nodes they carry, and targets with no host (failed). */
export function hostsOf(system: ChaosSystem, targets: readonly string[]): { hosts: HostControl[]; affected: string[]; records: FaultStatus["records"] } {
  const hosts = new Map<string, HostControl>();
  const records: FaultStatus["records"] = [];
  for (const target of targets) {
    const host = system.host(target);
    if (host) hosts.set(host.hostId, host);
    else records.push({ target, phase: "failed", detail: "not hosted by a managed process" });
  }
  const affected = [...hosts.values()].flatMap((h) => [...h.nodeIds]).sort();
  return { hosts: [...hosts.values()], affected, records };
}
