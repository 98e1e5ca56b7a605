import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import { keccak256, toHex, zeroAddress, zeroHash } from "viem";
import { POLICY_PARAMETERS, policyParameterKey } from "../../coordinator/policy/parameters.ts";

const PROPOSER_ROLE = keccak256(toHex("PROPOSER_ROLE"));
const CANCELLER_ROLE = keccak256(toHex("CANCELLER_ROLE"));
const DEFAULT_ADMIN_ROLE = zeroHash;

/**
 * Deploys and wires the Synod DAO: MeshToken → TimelockController → MeshGovernor →
 * KnowledgeRegistry and MeshPolicy (both written only by the timelock).
 *
 * The timelock's only proposer and canceller is the governor, anyone may execute
 * (the governor's `execute` is public anyway), and the deployer's temporary admin
 * role is renounced last, so nobody holds a key over the DAO.
 *
 * Parameters (see ignition/parameters/*.json): initialSupply (wei), votingDelay and
 * votingPeriod (seconds), proposalThreshold (wei), quorumPercent, lateQuorumExtension
 * (seconds), gracePeriod (seconds to queue a succeeded proposal), timelockDelay (seconds),
 * knowledgeEpochSeconds (MeshPolicy `knowledge.epochSeconds`), vetoThresholdBps (Against
 * votes, in basis points of the supply, that veto a routine proposal).
 *
 * The deployer binds the registry to the governor (so that knowledge-only proposals
 * are routine) before it renounces its admin role.
 */
export default buildModule("Synod", (m) => {
  const deployer = m.getAccount(0);

  const token = m.contract("MeshToken", [deployer, m.getParameter("initialSupply", 1_000_000n * 10n ** 18n)]);

  const timelock = m.contract("TimelockController", [
    m.getParameter("timelockDelay", 2n * 24n * 3600n),
    [],
    [zeroAddress],
    deployer,
  ]);

  const governor = m.contract("MeshGovernor", [
    token,
    timelock,
    m.getParameter("votingDelay", 24n * 3600n),
    m.getParameter("votingPeriod", 7n * 24n * 3600n),
    m.getParameter("proposalThreshold", 0n),
    m.getParameter("quorumPercent", 4n),
    m.getParameter("lateQuorumExtension", 24n * 3600n),
    m.getParameter("gracePeriod", 14n * 24n * 3600n),
    m.getParameter("vetoThresholdBps", 500n),
  ]);

  const registry = m.contract("KnowledgeRegistry", [timelock, governor]);
  const bindRegistry = m.call(governor, "bindKnowledgeRegistry", [registry], { id: "BindKnowledgeRegistry" });

  // The epoch length is the one policy value that differs per profile (minutes locally, a day in production).
  const epochSeconds = m.getParameter("knowledgeEpochSeconds", POLICY_PARAMETERS.find((p) => p.name === "knowledge.epochSeconds")!.value);
  const policy = m.contract("MeshPolicy", [
    timelock,
    POLICY_PARAMETERS.map((p) => policyParameterKey(p.name)),
    POLICY_PARAMETERS.map((p) => p.min),
    POLICY_PARAMETERS.map((p) => p.max),
    POLICY_PARAMETERS.map((p) => (p.name === "knowledge.epochSeconds" ? epochSeconds : p.value)),
  ]);

  const grantProposer = m.call(timelock, "grantRole", [PROPOSER_ROLE, governor], { id: "GrantProposerToGovernor" });
  const grantCanceller = m.call(timelock, "grantRole", [CANCELLER_ROLE, governor], { id: "GrantCancellerToGovernor" });
  m.call(timelock, "renounceRole", [DEFAULT_ADMIN_ROLE, deployer], {
    id: "RenounceDeployerAdmin",
    after: [grantProposer, grantCanceller, bindRegistry, policy],
  });

  return { token, timelock, governor, registry, policy };
});
