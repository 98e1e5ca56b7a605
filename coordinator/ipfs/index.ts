/**
 * The content store: publish to and read from IPFS, verified. See docs/knowledge.md.
 */
export type { AddResult, ContentBackend, ContentBackendName, ContentStat, ContentStore, ContentStoreCallOptions, ContentStoreGetOptions } from "./contentStore.ts";
export { createContentStoreFromBackend } from "./contentStore.ts";
export { createContentStore, type CreateContentStoreParameters } from "./createContentStore.ts";
export { heliaContentStore, type HeliaContentStoreParameters, type HeliaContentStoreReturnType } from "./heliaContentStore.ts";
export { kuboContentStore, type KuboContentStoreParameters } from "./kuboContentStore.ts";
export { handleGatewayRequest, CAR_TYPE, RAW_BLOCK_TYPE, type HandleGatewayRequestParameters, type HandleGatewayRequestReturnType } from "./handleGatewayRequest.ts";
export { canonicalJson, type JsonValue } from "./canonicalJson.ts";
export { computeFileCid, importUnixfsFile, KUBO_ADD_OPTIONS, KUBO_CHUNK_SIZE, KUBO_MAX_LINKS } from "./importUnixfsFile.ts";
export { toCid, type CidLike } from "./cid.ts";
export { verifyBlock } from "./verifyBlock.ts";
export { readVerifiedFile, walkVerifiedDag, getVerifiedBlock, type BlockFetcher, type VerifiedBlock } from "./verifiedDag.ts";
