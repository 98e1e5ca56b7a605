"use client";

import { useConnectModal } from "@rainbow-me/rainbowkit";
import { useState } from "react";
import { isAddress, isAddressEqual, zeroAddress, type Address } from "viem";
import { useAccount } from "wagmi";
import { useSendGovernanceTransaction } from "../../../hooks/useSendGovernanceTransaction.ts";
import { useSynodConfig } from "../../../hooks/useSynodConfig.ts";
import { useSynodReadClient } from "../../../hooks/useSynodReadClient.ts";
import { useVotingPower } from "../../../hooks/useVotingPower.ts";
import { formatPercent, formatVotes } from "../../../lib/format.ts";
import { TransactionStatusLine } from "../../proposals/[id]/_components/TransactionStatusLine.tsx";

/** My voting power, my delegate, and delegating to myself or someone else. */
export function Delegation() {
  const { address, chainId } = useAccount();
  const { targetChainId } = useSynodConfig();
  const { contracts } = useSynodReadClient();
  const { openConnectModal } = useConnectModal();
  const power = useVotingPower({ account: address });
  const tx = useSendGovernanceTransaction();
  const [other, setOther] = useState("");

  const delegate = (to: Address) => {
    if (!contracts) return;
    void tx.send({ ...contracts.MeshToken, functionName: "delegate", args: [to], chainId: targetChainId });
  };
  const busy = tx.status.phase === "signing" || tx.status.phase === "mining" || chainId !== targetChainId;
  const p = power.data;
  const undelegated = p !== undefined && isAddressEqual(p.delegatee, zeroAddress);

  return (
    <>
      <h1>Delegation</h1>
      <section className="card" aria-labelledby="how-heading">
        <h2 id="how-heading">How voting power works</h2>
        <ul>
          <li>Holding MESH is not enough to vote: tokens count as votes only once they are <strong>delegated</strong> — to yourself, or to someone who votes for you. You keep the tokens either way.</li>
          <li>
            A proposal counts the votes each account had at its <strong>snapshot</strong>, the moment voting opened. Delegating now
            gives you voting power on proposals created from now on — not on proposals already open. This is the usual answer to “I delegated but my voting power is 0”.
          </li>
          <li>Delegation is one transaction and stays until you change it; tokens you receive later follow it automatically.</li>
        </ul>
      </section>
      {!address ? (
        <p>
          <button type="button" onClick={openConnectModal}>
            Connect a wallet
          </button>
        </p>
      ) : (
        <section className="card" aria-labelledby="mine-heading">
          <h2 id="mine-heading">Your voting power</h2>
          {power.error ? <p className="notice bad">Could not read: {power.error.message.split("\n")[0]}</p> : null}
          {p ? (
            <div className="grid">
              <div>
                <div className="muted small">Balance</div>
                <div className="stat" data-testid="balance">{formatVotes(p.balance)}</div>
              </div>
              <div>
                <div className="muted small">Voting power now</div>
                <div className="stat" data-testid="voting-power">{formatVotes(p.votes)}</div>
                <div className="small muted">{formatPercent(p.votes, p.totalSupply)} of the supply</div>
              </div>
              <div>
                <div className="muted small">Delegated to</div>
                <div className="mono" data-testid="delegatee">
                  {undelegated ? "nobody" : isAddressEqual(p.delegatee, address) ? "yourself" : p.delegatee}
                </div>
              </div>
            </div>
          ) : (
            <p>Loading…</p>
          )}
          {undelegated && p && p.balance > 0n ? (
            <p className="notice" role="note">
              You hold {formatVotes(p.balance)} but have not delegated, so your voting power is 0. Delegate to yourself to vote.
            </p>
          ) : null}
          <div className="row" style={{ marginTop: "1rem" }}>
            <button type="button" disabled={busy} onClick={() => delegate(address)}>
              Delegate to myself
            </button>
          </div>
          <form
            className="row"
            style={{ marginTop: "1rem" }}
            onSubmit={(e) => {
              e.preventDefault();
              if (isAddress(other)) delegate(other);
            }}
          >
            <label htmlFor="delegate-to">Delegate to another address</label>
            <input id="delegate-to" value={other} onChange={(e) => setOther(e.target.value.trim())} placeholder="0x…" size={44} aria-invalid={other !== "" && !isAddress(other)} />
            <button type="submit" className="secondary" disabled={busy || !isAddress(other)}>
              Delegate
            </button>
          </form>
          {other !== "" && !isAddress(other) ? <p className="small" role="alert">That is not an address.</p> : null}
          <TransactionStatusLine status={tx.status} />
        </section>
      )}
    </>
  );
}
