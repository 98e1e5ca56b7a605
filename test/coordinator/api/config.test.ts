/**
 * The configuration (after fastify/demo test/app/env.test.ts): a bad environment is
 * refused with every problem listed; defaults; the admin token file.
 */
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, stat, chmod, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { parseEnv } from "node:util";
import { describe, it } from "node:test";
import { envSchema, loadConfig, resolveAdminToken, summarizeConfig, VARIABLES_READ_ELSEWHERE } from "../../../coordinator/config.ts";
import { AdminTokenFileError, ConfigValidationError } from "../../../coordinator/errors/config.ts";

const root = path.resolve(import.meta.dirname, "../../..");

function configError(env: Record<string, string>): ConfigValidationError {
  try {
    loadConfig(env);
  } catch (error) {
    assert.ok(error instanceof ConfigValidationError, String(error));
    return error;
  }
  assert.fail("the environment was accepted");
}

describe("configuration", () => {
  it("lists every problem of a bad environment, each with its variable", () => {
    const error = configError({
      RPC_URL: "localhost:8545",
      SYNOD_NETWORK_PROFILE: "staging",
      SYNOD_API_PORT: "80800",
      SYNOD_API_HOST: "bad host",
      SYNOD_ADMIN_TOKEN: "short",
      SYNOD_API_BODY_LIMIT: "lots",
      SYNOD_CORS_ORIGINS: "http://127.0.0.1:3000,http://localhost:3000/app",
      LOG_LEVEL: "verbose",
      SYNOD_PRIVATE_KEY: "0x1234",
      SYNOD_TOKEN_ADDRESS: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
      TELEGRAM_BOT_TOKEN: "not-a-token",
      TELEGRAM_ADMIN_IDS: "123,alice",
    });
    assert.deepEqual(
      error.issues.map((issue) => issue.variable),
      [
        "RPC_URL",
        "SYNOD_NETWORK_PROFILE",
        "SYNOD_PRIVATE_KEY",
        "SYNOD_API_HOST",
        "SYNOD_API_PORT",
        "SYNOD_ADMIN_TOKEN",
        "SYNOD_CORS_ORIGINS",
        "SYNOD_API_BODY_LIMIT",
        "LOG_LEVEL",
        "TELEGRAM_BOT_TOKEN",
        "TELEGRAM_ADMIN_IDS",
        "SYNOD_GOVERNOR_ADDRESS, SYNOD_REGISTRY_ADDRESS, SYNOD_POLICY_ADDRESS",
      ],
    );
    assert.equal(error.shortMessage, "Invalid configuration: 12 problems.");
    // The message a person reads at boot names every variable, one per line.
    for (const issue of error.issues) assert.ok(error.message.includes(`- ${issue.variable}: ${issue.message}`));
    assert.match(error.message, /- SYNOD_API_PORT: must be an integer from 0 to 65535/);
    assert.match(error.message, /- SYNOD_CORS_ORIGINS: entry 1: each entry must be an origin/);
    // Values are never echoed: one of them could be a secret.
    assert.doesNotMatch(error.message, /0x1234|not-a-token|short/);
  });

  it("requires SYNOD_ADMIN_TOKEN with the production profile (explicit, or implied by RPC_URL)", () => {
    assert.deepEqual(configError({ RPC_URL: "https://rpc.example.org" }).issues, [
      { variable: "SYNOD_ADMIN_TOKEN", message: "is required with the production profile" },
    ]);
    assert.equal(configError({ SYNOD_NETWORK_PROFILE: "production" }).issues[0]?.variable, "SYNOD_ADMIN_TOKEN");
    const { config } = loadConfig({ RPC_URL: "https://rpc.example.org", SYNOD_ADMIN_TOKEN: "a".repeat(32) });
    assert.equal(config.chain.profile, "production");
  });

  it("gives the documented defaults for an empty environment, treating NAME= as unset", () => {
    const { config, warnings } = loadConfig({ RPC_URL: "", SYNOD_API_PORT: " " });
    assert.deepEqual(warnings, []);
    assert.equal(config.chain.rpcUrl, "http://127.0.0.1:8545");
    assert.equal(config.chain.embedded, true);
    assert.equal(config.chain.profile, "local");
    assert.equal(config.dataDir, path.resolve(".synod"));
    assert.equal(config.api.host, "127.0.0.1");
    assert.equal(config.api.port, 8787);
    assert.equal(config.api.adminToken, undefined);
    assert.deepEqual(config.api.corsOrigins, ["http://127.0.0.1:3000", "http://localhost:3000"]);
    assert.equal(config.api.bodyLimit, 1024 * 1024);
    assert.equal(config.logLevel, "info");
    assert.deepEqual(config.telegram.adminIds, []);
    assert.equal(config.api.publicUrl, "http://127.0.0.1:8787");
    assert.equal(config.cli.apiUrl, "http://127.0.0.1:8787");
  });

  it("derives URLs from the listen address (IPv6 in brackets) unless given", () => {
    const { config } = loadConfig({ SYNOD_API_HOST: "::1", SYNOD_API_PORT: "9000", SYNOD_PUBLIC_URL: "https://synod.example.org/" });
    assert.equal(config.api.publicUrl, "https://synod.example.org");
    assert.equal(config.cli.apiUrl, "http://[::1]:9000");
  });

  it("warns about variables that look like typos of known ones, not about other parts' variables", () => {
    const { warnings } = loadConfig({ SYNOD_API_PROT: "9000", TELEGRAM_BOT_TOKN: "x", SYNOD_APP_PORT: "3000", SYNOD_SOMETHING_ELSE: "1", SYNOD_DATA_DIRR: "" });
    assert.deepEqual(warnings, [
      "SYNOD_API_PROT is not a Synod variable: did you mean SYNOD_API_PORT? (see .env.example)",
      "TELEGRAM_BOT_TOKN is not a Synod variable: did you mean TELEGRAM_BOT_TOKEN? (see .env.example)",
    ]);
  });

  it(".env.example lists every variable the schema reads, nothing unknown, and loads as it is", async () => {
    const example = parseEnv(await readFile(path.join(root, ".env.example"), "utf8"));
    const listed = new Set(Object.keys(example));
    assert.deepEqual(Object.keys(envSchema.shape).filter((name) => !listed.has(name)), [], "missing from .env.example");
    // The rest must be variables other parts read (npm start's ports, …), never stale names.
    assert.deepEqual([...listed].filter((name) => !(name in envSchema.shape) && !VARIABLES_READ_ELSEWHERE.has(name)), [], "unknown in .env.example");
    assert.doesNotThrow(() => loadConfig(example));
  });

  it("the summary redacts secrets and credentials", () => {
    const { config } = loadConfig({
      RPC_URL: "https://user:s3cret@rpc.example.org/v1?apikey=k3y",
      SYNOD_ADMIN_TOKEN: "t".repeat(40),
      SYNOD_PRIVATE_KEY: "ab".repeat(32),
      TELEGRAM_BOT_TOKEN: "123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdef",
    });
    assert.equal(config.chain.signerKey, `0x${"ab".repeat(32)}`);
    const text = JSON.stringify(summarizeConfig(config));
    for (const secret of ["s3cret", "k3y", "t".repeat(40), "ab".repeat(32), "ABCDEFGHIJ"]) assert.ok(!text.includes(secret), secret);
    assert.match(text, /"adminToken":"\(set\)"/);
  });

  it("generates the admin token once, mode 0600, and reuses it on the next boot", async (t) => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), "synod-config-"));
    t.after(() => rm(dataDir, { recursive: true, force: true }));
    const { config } = loadConfig({ SYNOD_DATA_DIR: path.join(dataDir, "nested") });
    const first = await resolveAdminToken(config);
    assert.equal(first.source, "generated");
    assert.equal(first.path, path.join(dataDir, "nested", "admin-token"));
    assert.match(first.token, /^[A-Za-z0-9_-]{43}$/);
    assert.equal((await stat(first.path!)).mode & 0o777, 0o600);
    const second = await resolveAdminToken(config);
    assert.deepEqual(second, { token: first.token, source: "file", path: first.path });
    // A file someone loosened is tightened again.
    await chmod(first.path!, 0o644);
    await resolveAdminToken(config);
    assert.equal((await stat(first.path!)).mode & 0o777, 0o600);
  });

  it("uses SYNOD_ADMIN_TOKEN without touching the disk; refuses a file without a token", async (t) => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), "synod-config-"));
    t.after(() => rm(dataDir, { recursive: true, force: true }));
    const token = "x".repeat(32);
    const fromEnv = await resolveAdminToken(loadConfig({ SYNOD_DATA_DIR: dataDir, SYNOD_ADMIN_TOKEN: token }).config);
    assert.deepEqual(fromEnv, { token, source: "environment" });
    await writeFile(path.join(dataDir, "admin-token"), "too-short\n", { mode: 0o600 });
    await assert.rejects(resolveAdminToken(loadConfig({ SYNOD_DATA_DIR: dataDir }).config), AdminTokenFileError);
  });
});
