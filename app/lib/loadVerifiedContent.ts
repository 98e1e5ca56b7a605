import type { Hex } from "viem";
import { blockContent, cidFromHex, fetchVerifiedBlock, parseJsonContent } from "./verifyCid.ts";

export type VerifiedContent =
  | { status: "verified"; cid: string; json: unknown; text: string | undefined }
  | { status: "mismatch" | "unsupported"; cid: string }
  | { status: "unavailable"; cid: string; error: string };

/**
 * A record's content, fetched from the gateway and verified against the on-chain CID.
 * Only verified content is returned for rendering; a mismatch carries no bytes.
 */
export async function loadVerifiedContent({
  gatewayUrl,
  cid,
  signal,
  fetchFn,
}: {
  gatewayUrl: string;
  cid: Hex;
  signal?: AbortSignal;
  fetchFn?: typeof fetch;
}): Promise<VerifiedContent> {
  const parsed = cidFromHex(cid);
  const text = parsed.toString();
  const result = await fetchVerifiedBlock({ gatewayUrl, cid: parsed, ...(signal ? { signal } : {}), ...(fetchFn ? { fetchFn } : {}) });
  if (result.status === "unavailable") return { status: "unavailable", cid: text, error: result.error };
  if (result.status !== "verified") return { status: result.status, cid: text };
  const content = blockContent(parsed, result.bytes);
  return {
    status: "verified",
    cid: text,
    json: content ? parseJsonContent(content) : undefined,
    text: content ? new TextDecoder().decode(content.slice(0, 4096)) : undefined,
  };
}
