import { BaseError, redactUrl } from "./base.ts";

/** The JSON-RPC endpoint did not answer (after retries). Nothing was sent; retry later. */
export class ChainUnavailableError extends BaseError {
  /** HTTP: the coordinator is up, a service it needs is not; safe to tell the client. */
  readonly statusCode = 503;
  readonly expose = true;
  constructor({ url, cause }: { url: string; cause?: unknown }) {
    super(`The chain at ${redactUrl(url)} is unreachable.`, {
      name: "ChainUnavailableError",
      cause,
      metaMessages: ["Start it (`npm run chain` or `npm start`) or set RPC_URL to a reachable node."],
      docsPath: "#deploying",
    });
  }
}

/** No Synod deployment is known for this chain. */
export class DeploymentNotFoundError extends BaseError {
  constructor({ chainId, searched }: { chainId: number; searched: string[] }) {
    super(`No Synod deployment found for chain ${chainId}.`, {
      name: "DeploymentNotFoundError",
      metaMessages: [
        `Looked in: ${searched.join(", ")}`,
        "Deploy first (`npm run deploy:local`), or set SYNOD_GOVERNOR_ADDRESS, SYNOD_REGISTRY_ADDRESS, SYNOD_POLICY_ADDRESS and SYNOD_TOKEN_ADDRESS.",
      ],
      docsPath: "#deploying",
    });
  }
}

/** Writing needs a key and none is configured for this (non-local) chain. */
export class SignerMissingError extends BaseError {
  constructor({ chainId }: { chainId: number }) {
    super(`No signing key for chain ${chainId}.`, {
      name: "SignerMissingError",
      metaMessages: ["Set SYNOD_PRIVATE_KEY. Hardhat's public test keys are used only on the local chain (31337)."],
    });
  }
}

/** A transaction reverted or could not be sent. */
export class ChainTransactionError extends BaseError {
  constructor({ action, cause }: { action: string; cause: unknown }) {
    const reason = cause instanceof Error && "shortMessage" in cause ? String(cause.shortMessage) : undefined;
    super(`Could not ${action}${reason ? `: ${reason}` : "."}`, { name: "ChainTransactionError", cause });
  }
}
