import type { VerifiedContent } from "../../../lib/loadVerifiedContent.ts";

/** "verified" only when the browser hashed the bytes and they matched the CID. */
export function VerificationBadge({ content, loading }: { content: VerifiedContent | undefined; loading: boolean }) {
  if (loading || !content) return <span className="badge pending-check" data-testid="verification">checking…</span>;
  switch (content.status) {
    case "verified":
      return (
        <span className="badge verified" data-testid="verification" title="The content's sha2-256 matches the CID stored on chain">
          ✓ verified
        </span>
      );
    case "mismatch":
      return (
        <span className="badge not-verified" data-testid="verification" title="The gateway returned bytes that do not hash to this CID">
          ✗ not verified
        </span>
      );
    case "unsupported":
      return (
        <span className="badge pending-check" data-testid="verification" title="This CID's hash function cannot be checked in the browser">
          not verified (unsupported hash)
        </span>
      );
    case "unavailable":
      return (
        <span className="badge pending-check" data-testid="verification" title={content.error}>
          not verified (content unavailable)
        </span>
      );
  }
}
