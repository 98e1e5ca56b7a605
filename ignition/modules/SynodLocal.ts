import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import SynodModule from "./Synod.ts";

/** Demo voters on the local chain: Hardhat's accounts #1–#4. */
export const DEMO_VOTER_INDEXES = [1, 2, 3, 4] as const;

/**
 * The local profile: everything in {@link SynodModule}, plus tokens for the demo
 * voters, each self-delegated so that their voting power counts at once. The
 * deployer (account #0, the coordinator's key) keeps the rest and self-delegates.
 *
 * Parameter `demoVoterAmount` (wei) is what each demo voter receives.
 */
export default buildModule("SynodLocal", (m) => {
  const synod = m.useModule(SynodModule);
  const amount = m.getParameter("demoVoterAmount", 225_000n * 10n ** 18n);

  m.call(synod.token, "delegate", [m.getAccount(0)], { id: "DelegateDeployer" });
  for (const index of DEMO_VOTER_INDEXES) {
    const voter = m.getAccount(index);
    m.call(synod.token, "transfer", [voter, amount], { id: `FundVoter${index}` });
    m.call(synod.token, "delegate", [voter], { id: `DelegateVoter${index}`, from: voter });
  }
  return synod;
});
