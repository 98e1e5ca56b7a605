/**
 * The coordinator's configuration: the whole environment, validated once at boot with
 * zod. {@link loadConfig} fails fast with every problem listed (never only the first),
 * and {@link SynodConfig} is derived from the schema, so the type cannot drift from
 * what is validated (the counter-example is fastify/demo's hand-written interface).
 *
 * `.env.example` lists every variable. Empty strings count as unset, because an
 * `.env` copied from the example holds `NAME=` lines.
 */
import { randomBytes } from "node:crypto";
import { chmod, mkdir, open, readFile, stat } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { redactUrl } from "./errors/base.ts";
import { AdminTokenFileError, ConfigValidationError, type ConfigIssue } from "./errors/config.ts";

/** Where `npm start` runs the embedded chain when `RPC_URL` is unset. */
export const EMBEDDED_RPC_URL = "http://127.0.0.1:8545";
/** Shortest admin token accepted: 32 characters (e.g. `openssl rand -hex 16`). */
export const MIN_ADMIN_TOKEN_LENGTH = 32;
/** File under `SYNOD_DATA_DIR` that holds the generated admin token (local profile only). */
export const ADMIN_TOKEN_FILE = "admin-token";

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

const unset = (value: unknown) => (typeof value === "string" && value.trim() === "" ? undefined : value);

/** A variable that may be unset (or empty). */
const optional = <T extends z.ZodType>(schema: T) => z.preprocess(unset, schema.optional());
/** A variable with a default when unset (or empty). */
const withDefault = <T extends z.ZodType>(schema: T, fallback: z.input<T>) =>
  z.preprocess((value) => unset(value) ?? fallback, schema);

const integer = (min: number, max: number) =>
  z.coerce
    .number({ error: `must be an integer from ${min} to ${max}` })
    .int({ error: `must be an integer from ${min} to ${max}` })
    .min(min, { error: `must be an integer from ${min} to ${max}` })
    .max(max, { error: `must be an integer from ${min} to ${max}` });

// Parsed with WHATWG URL rather than z.httpUrl, whose host pattern wants a dotted
// domain and so refuses http://localhost:5001.
const httpUrl = z.string().refine(
  (value) => {
    try {
      const url = new URL(value);
      return url.protocol === "http:" || url.protocol === "https:";
    } catch {
      return false;
    }
  },
  { error: "must be an http(s) URL" },
);

/** Comma-separated list, entries trimmed, empty entries dropped. */
const list = (value: unknown) =>
  typeof value === "string" ? value.split(",").map((entry) => entry.trim()).filter((entry) => entry !== "") : value;

const origin = z.string().refine(
  (value) => {
    try {
      const url = new URL(value);
      return (url.protocol === "http:" || url.protocol === "https:") && url.origin === value;
    } catch {
      return false;
    }
  },
  { error: "each entry must be an origin like http://127.0.0.1:3000 (scheme, host, port; no path or trailing slash)" },
);

const privateKey = z
  .string()
  .regex(/^(0x)?[0-9a-fA-F]{64}$/, { error: "must be 32 bytes of hex (64 hex digits, optional 0x)" })
  .transform((key) => (key.startsWith("0x") ? key : `0x${key}`) as `0x${string}`);

const address = z
  .string()
  .regex(/^0x[0-9a-fA-F]{40}$/, { error: "must be a 0x-prefixed 20-byte address" })
  .transform((value) => value as `0x${string}`);

/** The contract address variables: all four or none (chain/resolveDeployment.ts reads them together). */
const ADDRESS_VARIABLES = ["SYNOD_TOKEN_ADDRESS", "SYNOD_GOVERNOR_ADDRESS", "SYNOD_REGISTRY_ADDRESS", "SYNOD_POLICY_ADDRESS"] as const;

/**
 * The environment's schema, variable by variable; `.transform` turns it into the
 * structured {@link SynodConfig} the code uses.
 */
export const envSchema = z.object({
  RPC_URL: optional(httpUrl),
  SYNOD_NETWORK_PROFILE: optional(z.enum(["local", "production"], { error: "must be local or production" })),
  DEPLOYER_PRIVATE_KEY: optional(privateKey),
  SYNOD_PRIVATE_KEY: optional(privateKey),
  SYNOD_TOKEN_ADDRESS: optional(address),
  SYNOD_GOVERNOR_ADDRESS: optional(address),
  SYNOD_REGISTRY_ADDRESS: optional(address),
  SYNOD_POLICY_ADDRESS: optional(address),
  IPFS_API_URL: optional(httpUrl),
  SYNOD_DATA_DIR: withDefault(z.string().min(1), ".synod"),
  SYNOD_API_HOST: withDefault(
    z.string().regex(/^[A-Za-z0-9.:[\]-]+$/, { error: "must be a host name or an IP address" }),
    "127.0.0.1",
  ),
  SYNOD_API_PORT: withDefault(integer(0, 65535), 8787),
  SYNOD_PUBLIC_URL: optional(httpUrl),
  SYNOD_API_URL: optional(httpUrl),
  SYNOD_ADMIN_TOKEN: optional(
    z
      .string()
      .min(MIN_ADMIN_TOKEN_LENGTH, { error: `must be at least ${MIN_ADMIN_TOKEN_LENGTH} characters` })
      .regex(/^[\x21-\x7e]+$/, { error: "must be printable ASCII without spaces" }),
  ),
  SYNOD_CORS_ORIGINS: withDefault(z.preprocess(list, z.array(origin)), "http://127.0.0.1:3000,http://localhost:3000"),
  SYNOD_API_BODY_LIMIT: withDefault(integer(1024, 256 * 1024 * 1024), 1024 * 1024),
  SYNOD_RATE_LIMIT_WINDOW_MS: withDefault(integer(100, 3_600_000), 60_000),
  SYNOD_NODE_RATE_LIMIT_MAX: withDefault(integer(1, 10_000_000), 600),
  SYNOD_NODE_IP_RATE_LIMIT_MAX: withDefault(integer(1, 100_000_000), 120_000),
  SYNOD_GATEWAY_RATE_LIMIT_MAX: withDefault(integer(1, 10_000_000), 1200),
  SYNOD_GATEWAY_MAX_FILE_BYTES: withDefault(integer(1, 4 * 1024 * 1024 * 1024), 64 * 1024 * 1024),
  SYNOD_SSE_MAX_CLIENTS: withDefault(integer(1, 100_000), 100),
  SYNOD_SSE_HEARTBEAT_MS: withDefault(integer(1000, 600_000), 15_000),
  LOG_LEVEL: withDefault(z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(", ")}` }), "info"),
  TELEGRAM_BOT_TOKEN: optional(
    z.string().regex(/^\d+:[A-Za-z0-9_-]{20,}$/, { error: "must look like 123456:ABC… (as BotFather gives it)" }),
  ),
  TELEGRAM_API_ROOT: optional(httpUrl),
  TELEGRAM_ADMIN_IDS: withDefault(
    z.preprocess(list, z.array(z.string().regex(/^-?\d+$/, { error: "each entry must be a numeric Telegram user id" }))),
    "",
  ),
  SYNOD_MESH_NODES: withDefault(integer(0, 10_000), 50),
  SYNOD_MESH_NODES_PER_HOST: withDefault(integer(0, 1_000), 10),
  SYNOD_MESH_HEARTBEAT_MS: withDefault(integer(50, 60_000), 250),
  SYNOD_MAPEK_INTERVAL_MS: withDefault(integer(50, 600_000), 250),
  SYNOD_EXPERIMENTS_DIR: withDefault(z.string().min(1), "experiments"),
  SYNOD_FL_ROUND_INTERVAL_MS: withDefault(integer(0, 86_400_000), 10_000),
  SYNOD_KEEPER_TICK_MS: withDefault(integer(100, 600_000), 2_000),
});

/** The environment variables the coordinator reads (input of {@link envSchema}). */
export type SynodEnv = z.input<typeof envSchema>;

/** The schema of the structured configuration, derived from {@link envSchema}. */
export const configSchema = envSchema.transform((env) => {
  const embeddedChain = env.RPC_URL === undefined;
  // The API's own address as a URL (IPv6 literals in brackets).
  const localUrl = `http://${env.SYNOD_API_HOST.includes(":") ? `[${env.SYNOD_API_HOST}]` : env.SYNOD_API_HOST}:${env.SYNOD_API_PORT}`;
  return {
    chain: {
      /** `RPC_URL`, else the embedded chain `npm start` runs. */
      rpcUrl: env.RPC_URL ?? EMBEDDED_RPC_URL,
      /** Whether `RPC_URL` was unset (the embedded chain). */
      embedded: embeddedChain,
      /** `SYNOD_NETWORK_PROFILE`: local with the embedded chain, production with `RPC_URL`, unless set. */
      profile: env.SYNOD_NETWORK_PROFILE ?? (embeddedChain ? "local" : "production"),
      /** `DEPLOYER_PRIVATE_KEY` (secret), 0x-prefixed: Hardhat's deployer for `--network remote`. */
      deployerPrivateKey: env.DEPLOYER_PRIVATE_KEY,
      /** `SYNOD_PRIVATE_KEY` (secret), 0x-prefixed: signs the keeper's transactions. */
      signerKey: env.SYNOD_PRIVATE_KEY,
      /** `SYNOD_*_ADDRESS`: the contracts, when not taken from Ignition's deployment folder. */
      addresses:
        env.SYNOD_TOKEN_ADDRESS && env.SYNOD_GOVERNOR_ADDRESS && env.SYNOD_REGISTRY_ADDRESS && env.SYNOD_POLICY_ADDRESS
          ? {
              token: env.SYNOD_TOKEN_ADDRESS,
              governor: env.SYNOD_GOVERNOR_ADDRESS,
              registry: env.SYNOD_REGISTRY_ADDRESS,
              policy: env.SYNOD_POLICY_ADDRESS,
            }
          : undefined,
    },
    ipfs: {
      /** `IPFS_API_URL` (Kubo RPC); unset: embedded Helia. */
      apiUrl: env.IPFS_API_URL,
      /** `SYNOD_GATEWAY_MAX_FILE_BYTES`: the gateway refuses whole files larger than this. */
      gatewayMaxFileBytes: env.SYNOD_GATEWAY_MAX_FILE_BYTES,
    },
    /** `SYNOD_DATA_DIR`, resolved against the working directory. */
    dataDir: path.resolve(env.SYNOD_DATA_DIR),
    api: {
      host: env.SYNOD_API_HOST,
      port: env.SYNOD_API_PORT,
      /**
       * `SYNOD_PUBLIC_URL`: where others reach this coordinator (links to `/ipfs/{cid}` in
       * proposal descriptions, node hosts); default `http://<host>:<port>`, no trailing slash.
       */
      publicUrl: (env.SYNOD_PUBLIC_URL ?? localUrl).replace(/\/+$/, ""),
      /** `SYNOD_ADMIN_TOKEN` (secret); unset in the local profile: see {@link resolveAdminToken}. */
      adminToken: env.SYNOD_ADMIN_TOKEN,
      /** Origins whose browsers may read the API (the dApp). */
      corsOrigins: env.SYNOD_CORS_ORIGINS,
      /** Largest request body, bytes. */
      bodyLimit: env.SYNOD_API_BODY_LIMIT,
      rateLimit: {
        windowMs: env.SYNOD_RATE_LIMIT_WINDOW_MS,
        /** Requests per window per node (IP + node key) on each node-facing route. */
        nodeMax: env.SYNOD_NODE_RATE_LIMIT_MAX,
        /** Requests per window per IP across all node-facing routes (a host of many nodes). */
        nodeIpMax: env.SYNOD_NODE_IP_RATE_LIMIT_MAX,
        /** Requests per window per IP on `GET /ipfs/{cid}`. */
        gatewayMax: env.SYNOD_GATEWAY_RATE_LIMIT_MAX,
      },
      events: {
        maxClients: env.SYNOD_SSE_MAX_CLIENTS,
        heartbeatMs: env.SYNOD_SSE_HEARTBEAT_MS,
      },
    },
    logLevel: env.LOG_LEVEL,
    cli: {
      /** `SYNOD_API_URL`: the coordinator `npx synod` talks to; default the local API. */
      apiUrl: (env.SYNOD_API_URL ?? localUrl).replace(/\/+$/, ""),
    },
    telegram: {
      /** `TELEGRAM_BOT_TOKEN` (secret); unset: no bot. */
      botToken: env.TELEGRAM_BOT_TOKEN,
      apiRoot: env.TELEGRAM_API_ROOT,
      adminIds: env.TELEGRAM_ADMIN_IDS,
    },
    mesh: {
      /**
       * `SYNOD_MESH_NODES_PER_HOST`: the coordinator's mesh runs in node-host processes of
       * this many nodes each, behind fault-injecting links (what chaos and MAPE-K act on);
       * 0 keeps the nodes in the coordinator process (no chaos engine, no MAPE-K loop).
       */
      nodesPerHost: env.SYNOD_MESH_NODES_PER_HOST,
      /** `SYNOD_MESH_HEARTBEAT_MS`: how often each node heartbeats. */
      heartbeatMs: env.SYNOD_MESH_HEARTBEAT_MS,
    },
    mapek: {
      /** `SYNOD_MAPEK_INTERVAL_MS`: the MAPE-K loop's tick period. */
      intervalMs: env.SYNOD_MAPEK_INTERVAL_MS,
    },
    chaos: {
      /** `SYNOD_EXPERIMENTS_DIR`: the experiment files `synod chaos ls` and `/chaos_run` offer (relative to the repository). */
      experimentsDir: env.SYNOD_EXPERIMENTS_DIR,
    },
    fl: {
      /** `SYNOD_MESH_NODES`: the coordinator's mesh nodes (0: only node hosts deployed with `synod nodes deploy`). */
      meshNodes: env.SYNOD_MESH_NODES,
      /** `SYNOD_FL_ROUND_INTERVAL_MS`: a round every so often; 0 runs rounds only on request. */
      roundIntervalMs: env.SYNOD_FL_ROUND_INTERVAL_MS,
    },
    knowledge: {
      /** `SYNOD_KEEPER_TICK_MS`: how often the keeper publishes, follows proposals and checks whether the epoch is due (its length is MeshPolicy `knowledge.epochSeconds`). */
      keeperTickMs: env.SYNOD_KEEPER_TICK_MS,
    },
  };
});

/** The coordinator's configuration, as the code uses it. */
export type SynodConfig = z.output<typeof configSchema>;

/** Problems that involve more than one variable (checked on the raw environment). */
function crossFieldIssues(env: Record<string, string | undefined>): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const value = (name: string) => unset(env[name]) as string | undefined;
  const profile = value("SYNOD_NETWORK_PROFILE") ?? (value("RPC_URL") === undefined ? "local" : "production");
  if (profile === "production" && value("SYNOD_ADMIN_TOKEN") === undefined) {
    // A generated token is fine on a developer's machine; a production coordinator must
    // be given one on purpose, so nobody depends on a file nobody knows about.
    issues.push({ variable: "SYNOD_ADMIN_TOKEN", message: "is required with the production profile" });
  }
  const addresses = ADDRESS_VARIABLES.filter((name) => value(name) !== undefined);
  if (addresses.length > 0 && addresses.length < ADDRESS_VARIABLES.length) {
    const missing = ADDRESS_VARIABLES.filter((name) => value(name) === undefined);
    issues.push({ variable: missing.join(", "), message: `must be set too: the contract addresses go together (${addresses.join(", ")} set)` });
  }
  if (value("TELEGRAM_ADMIN_IDS") !== undefined && value("TELEGRAM_BOT_TOKEN") === undefined) {
    issues.push({ variable: "TELEGRAM_ADMIN_IDS", message: "is set but TELEGRAM_BOT_TOKEN is not" });
  }
  return issues;
}

/**
 * `SYNOD_*` variables other parts of Synod read (the dApp, `npm start`, the CLI, tests):
 * listed so that they are not taken for typos of the coordinator's own.
 */
export const VARIABLES_READ_ELSEWHERE: ReadonlySet<string> = new Set([
  "NEXT_PUBLIC_WALLETCONNECT_PROJECT_ID",
  "SYNOD_APP_PORT",
  "SYNOD_CHAIN_ID",
  "SYNOD_CHAIN_PORT",
  "SYNOD_COORDINATOR_URL",
  "SYNOD_DAPP_URL",
  "SYNOD_DEV_ACCOUNTS",
  "SYNOD_EXPERIMENTS_DIR",
  "SYNOD_GATEWAY_URL",
  "SYNOD_LOCALHOST_URL",
  "SYNOD_LOG_BLOCK_RANGE",
  "SYNOD_POLLING_INTERVAL_MS",
  "SYNOD_POSTINSTALL_RERUN",
  "SYNOD_RPC_URL",
  "SYNOD_SCREENSHOTS",
  "SYNOD_TEST_CLOSE_EPOCH",
  "SYNOD_TEST_CRASH_AT",
]);

/** Edit distance with adjacent transpositions (optimal string alignment). */
function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  const at = (i: number, j: number) => d[i]?.[j] ?? Number.POSITIVE_INFINITY;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, at(i - 2, j - 2) + 1);
      d[i]![j] = best;
    }
  }
  return at(a.length, b.length);
}

/**
 * Set variables that look like typos of the coordinator's own (`SYNOD_API_PROT`), each with
 * the name it most likely meant. Only near misses: other parts have `SYNOD_*` names of their own.
 */
function likelyTypos(env: Record<string, string | undefined>): Array<{ name: string; meant: string }> {
  const known = Object.keys(envSchema.shape);
  const typos: Array<{ name: string; meant: string }> = [];
  for (const name of Object.keys(env).sort()) {
    if (unset(env[name]) === undefined || known.includes(name) || VARIABLES_READ_ELSEWHERE.has(name)) continue;
    if (!name.startsWith("SYNOD_") && !name.startsWith("TELEGRAM_")) continue;
    const meant = known.find((candidate) => editDistance(name, candidate) <= 2);
    if (meant) typos.push({ name, meant });
  }
  return typos;
}

export type LoadConfigReturnType = {
  config: SynodConfig;
  /** Things worth a warning at boot, e.g. a variable that looks like a typo of a known one. */
  warnings: string[];
};

/**
 * Validates the environment and returns the configuration.
 *
 * @param env - the environment, default `process.env`.
 * @returns the configuration and boot warnings.
 * @throws {ConfigValidationError} listing every problem, each with its variable.
 *
 * @example
 * import { loadConfig } from "./config.ts";
 * const { config, warnings } = loadConfig(process.env);
 * console.log(config.api.port); // 8787 unless SYNOD_API_PORT says otherwise
 */
export function loadConfig(env: Record<string, string | undefined> = process.env): LoadConfigReturnType {
  const parsed = configSchema.safeParse(env);
  const issues: ConfigIssue[] = parsed.success
    ? []
    : parsed.error.issues.map((issue) => ({
        variable: String(issue.path[0] ?? ""),
        message:
          issue.path.length > 1 ? `entry ${issue.path.slice(1).map(String).join(".")}: ${issue.message}` : issue.message,
      }));
  issues.push(...crossFieldIssues(env));
  if (!parsed.success || issues.length > 0) throw new ConfigValidationError({ issues });
  return {
    config: parsed.data,
    warnings: likelyTypos(env).map(({ name, meant }) => `${name} is not a Synod variable: did you mean ${meant}? (see .env.example)`),
  };
}

/**
 * The configuration as it may be logged or served: secrets replaced by `"(set)"`,
 * credentials stripped from URLs.
 *
 * @param config - the configuration.
 * @returns a JSON-safe summary without secrets.
 */
export function summarizeConfig(config: SynodConfig) {
  const secret = (value: string | undefined) => (value === undefined ? "(unset)" : "(set)");
  return {
    chain: {
      rpcUrl: redactUrl(config.chain.rpcUrl),
      embedded: config.chain.embedded,
      profile: config.chain.profile,
      deployerPrivateKey: secret(config.chain.deployerPrivateKey),
      signerKey: secret(config.chain.signerKey),
      addresses: config.chain.addresses ?? "(from the Ignition deployment)",
    },
    ipfs: {
      backend: config.ipfs.apiUrl === undefined ? "helia (embedded)" : "kubo",
      apiUrl: config.ipfs.apiUrl === undefined ? null : redactUrl(config.ipfs.apiUrl),
      gatewayMaxFileBytes: config.ipfs.gatewayMaxFileBytes,
    },
    dataDir: config.dataDir,
    api: {
      host: config.api.host,
      port: config.api.port,
      publicUrl: redactUrl(config.api.publicUrl),
      adminToken: config.api.adminToken === undefined ? `(generated: ${path.join(config.dataDir, ADMIN_TOKEN_FILE)})` : "(set)",
      corsOrigins: config.api.corsOrigins,
      bodyLimit: config.api.bodyLimit,
      rateLimit: config.api.rateLimit,
      events: config.api.events,
    },
    logLevel: config.logLevel,
    cli: { apiUrl: redactUrl(config.cli.apiUrl) },
    telegram: {
      botToken: secret(config.telegram.botToken),
      apiRoot: config.telegram.apiRoot === undefined ? null : redactUrl(config.telegram.apiRoot),
      adminIds: config.telegram.adminIds.length,
    },
    fl: config.fl,
    mesh: config.mesh,
    mapek: config.mapek,
    chaos: config.chaos,
    knowledge: config.knowledge,
  };
}

/** What {@link summarizeConfig} returns. */
export type ConfigSummary = ReturnType<typeof summarizeConfig>;

export type ResolveAdminTokenReturnType = {
  token: string;
  /** `environment`: `SYNOD_ADMIN_TOKEN`; `generated`: new file written; `file`: read from an earlier boot's file. */
  source: "environment" | "generated" | "file";
  /** The token file, when the token lives in one. */
  path?: string;
};

/**
 * Returns the admin token: `SYNOD_ADMIN_TOKEN` when set; otherwise (only the local
 * profile gets this far, see {@link loadConfig}) the one in `<dataDir>/admin-token`,
 * generated (32 random bytes, base64url) and written with mode 0600 on the first boot.
 * The file is kept across restarts so the CLI and an open dApp keep working; delete it
 * to rotate. There is never a baked-in default.
 *
 * @param config - the configuration.
 * @returns the token and where it came from.
 * @throws {AdminTokenFileError} when the file cannot be written or read, or holds no valid token.
 */
export async function resolveAdminToken(config: SynodConfig): Promise<ResolveAdminTokenReturnType> {
  if (config.api.adminToken !== undefined) return { token: config.api.adminToken, source: "environment" };
  const file = path.join(config.dataDir, ADMIN_TOKEN_FILE);
  try {
    await mkdir(config.dataDir, { recursive: true, mode: 0o700 });
  } catch (cause) {
    throw new AdminTokenFileError({ path: file, reason: "the data directory cannot be created", cause });
  }
  const token = randomBytes(32).toString("base64url");
  try {
    // "wx": never overwrite a token someone may already use; mode 0600 from the start
    // (not chmod after writing), so the token is never readable by others, even briefly.
    const handle = await open(file, "wx", 0o600);
    try {
      await handle.writeFile(`${token}\n`, "utf8");
    } finally {
      await handle.close();
    }
    return { token, source: "generated", path: file };
  } catch (error) {
    if (!(error instanceof Error && "code" in error && error.code === "EEXIST")) {
      throw new AdminTokenFileError({ path: file, reason: "it cannot be created", cause: error });
    }
  }
  let existing: string;
  try {
    const info = await stat(file);
    // A token others can read is not a secret: tighten it rather than refuse to start.
    if ((info.mode & 0o077) !== 0) await chmod(file, 0o600);
    existing = (await readFile(file, "utf8")).trim();
  } catch (cause) {
    throw new AdminTokenFileError({ path: file, reason: "it cannot be read", cause });
  }
  if (existing.length < MIN_ADMIN_TOKEN_LENGTH || !/^[\x21-\x7e]+$/.test(existing)) {
    throw new AdminTokenFileError({ path: file, reason: `it does not hold a token of at least ${MIN_ADMIN_TOKEN_LENGTH} printable characters` });
  }
  return { token: existing, source: "file", path: file };
}
