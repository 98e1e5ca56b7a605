import type { TransactionStatus } from "../../../../hooks/useSendGovernanceTransaction.ts";

/** The progress of a transaction, announced to screen readers. */
export function TransactionStatusLine({ status }: { status: TransactionStatus }) {
  const text = (() => {
    switch (status.phase) {
      case "idle":
        return "";
      case "signing":
        return "Waiting for your wallet to sign…";
      case "mining":
        return `Sent (${status.hash.slice(0, 10)}…); waiting for it to be mined…`;
      case "done":
        return "Done.";
      case "failed":
        return `Failed: ${status.message}`;
    }
  })();
  return (
    <p role="status" aria-live="polite" className={status.phase === "failed" ? "notice bad" : "small"} data-testid="tx-status">
      {text}
    </p>
  );
}
