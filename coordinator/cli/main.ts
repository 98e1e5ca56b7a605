/**
 * `synod` — the operator CLI. Each command talks to a running coordinator over its
 * HTTP API (`SYNOD_API_URL`, default http://127.0.0.1:8787); `--json` prints
 * machine-readable output.
 */
import { parseArgs } from "node:util";
import { BaseError } from "../errors/base.ts";
import { UsageError } from "../errors/cli.ts";
import { createApiClient } from "../client/apiClient.ts";
import type { Command, CommandContext } from "./command.ts";
import { createOutput } from "./output.ts";

let stdoutGuarded = false;

// Each command's module is imported only when that command runs: `synod --help` or
// `synod fl …` do not load the mesh host, the bot or the chaos client.
export const COMMANDS: Record<string, Command> = {
  fl: { load: async () => (await import("./commands/fl.ts")).flCommand, help: "fl status|start|model|metrics         FL rounds, the global model, metrics" },
  knowledge: { load: async () => (await import("./commands/knowledge.ts")).knowledgeCommand, help: "knowledge ls|get CID|publish FILE|epochs [N]|audit  records, epochs with proofs, audit" },
  proposals: { load: async () => (await import("./commands/proposals.ts")).proposalsCommand, help: "proposals ls|show ID                 Governor proposals with votes" },
  nodes: { load: async () => (await import("./commands/nodes.ts")).nodesCommand, help: "nodes deploy|status|rollback|admit   mesh-node hosts: staged deployment, health, rollback", ownOptions: true },
  "node-host": { load: async () => (await import("./commands/nodeHost.ts")).nodeHostCommand, help: "node-host --nodes K --coordinator    run K mesh nodes in this process (coordinator URL)", ownOptions: true },
  chaos: { load: async () => (await import("./commands/chaos.ts")).chaosCommand, help: "chaos ls|run|status|runs|show|abort  chaos experiments: run one live (FILE|NAME), journals, abort", ownOptions: true },
  mapek: { load: async () => (await import("./commands/mapek.ts")).mapekCommand, help: "mapek [history]                      MAPE-K state, φ, incidents; φ over recent ticks" },
  telegram: { load: async () => (await import("./commands/telegram.ts")).telegramCommand, help: "telegram                             run the Telegram bot against this coordinator" },
};

function usage(): string {
  return ["Usage: synod <command> [options] [--json]", "", ...Object.values(COMMANDS).map((c) => `  ${c.help}`), "", "Environment: SYNOD_API_URL, SYNOD_ADMIN_TOKEN (or $SYNOD_DATA_DIR/admin-token)"].join("\n");
}

/**
 * Runs the CLI.
 * @param argv - arguments after `synod`.
 * @returns the process exit code: 0 ok, 1 failed, 2 usage.
 */
export async function main(
  argv: string[],
  io: {
    write?: (text: string) => void;
    error?: (text: string) => void;
    env?: Record<string, string | undefined>;
    /** Stands for Ctrl-C (tests); by default SIGINT aborts it while a command runs. */
    interrupt?: AbortSignal;
  } = {},
): Promise<number> {
  const error = io.error ?? ((text: string) => process.stderr.write(text));
  // `synod … | head`: a reader that stops reading is not an error worth a stack trace.
  if (!io.write && !stdoutGuarded) {
    stdoutGuarded = true;
    process.stdout.on("error", (e: NodeJS.ErrnoException) => {
      if (e.code === "EPIPE") process.exit(0);
      throw e;
    });
  }
  const onInterrupt = interruptHandlers(io.interrupt);
  const own = argv[0] !== undefined && !argv[0].startsWith("-") ? COMMANDS[argv[0]] : undefined;
  if (own?.ownOptions) {
    const json = argv.includes("--json");
    const out = createOutput({ json, ...(io.write ? { write: io.write } : {}) });
    return runCommand(own, { api: createApiClient(io.env ? { env: io.env } : {}), out, args: argv.slice(1).filter((a) => a !== "--json"), options: {}, onInterrupt, error }, json, error);
  }
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        json: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
        kind: { type: "string" },
        status: { type: "string" },
        round: { type: "string" },
        proposal: { type: "string" },
        epoch: { type: "string" },
        offset: { type: "string" },
        limit: { type: "string" },
      },
    });
  } catch (cause) {
    error(`${cause instanceof Error ? cause.message : String(cause)}\n\n${usage()}\n`);
    return 2;
  }
  const [name, ...args] = parsed.positionals;
  const command = name ? COMMANDS[name] : undefined;
  if (parsed.values.help || !command) {
    (command || parsed.values.help ? (io.write ?? ((t: string) => process.stdout.write(t))) : error)(`${usage()}\n`);
    return command || parsed.values.help ? 0 : 2;
  }
  const out = createOutput({ json: parsed.values.json, ...(io.write ? { write: io.write } : {}) });
  const { json: _json, help: _help, ...options } = parsed.values;
  return runCommand(command, { api: createApiClient(io.env ? { env: io.env } : {}), out, args, options, onInterrupt, error }, parsed.values.json, error);
}

/**
 * Ctrl-C for commands that clean up on it: while a handler is registered, the first
 * SIGINT (or `io.interrupt` aborting, in tests) calls it instead of killing the process;
 * a second SIGINT exits. Commands that register nothing keep Node's default Ctrl-C.
 */
function interruptHandlers(signal: AbortSignal | undefined): NonNullable<CommandContext["onInterrupt"]> {
  return (handler) => {
    if (signal) {
      if (signal.aborted) {
        queueMicrotask(handler);
        return () => {};
      }
      signal.addEventListener("abort", handler, { once: true });
      return () => signal.removeEventListener("abort", handler);
    }
    let interruptedAt: number | undefined;
    const onSigint = () => {
      // A terminal's Ctrl-C reaches npx and this process both, and npx may pass it on:
      // a second SIGINT only forces the exit when it comes a moment later.
      if (interruptedAt !== undefined) {
        if (Date.now() - interruptedAt > 1_000) process.exit(130);
        return;
      }
      interruptedAt = Date.now();
      handler();
    };
    process.on("SIGINT", onSigint);
    return () => process.off("SIGINT", onSigint);
  };
}

async function runCommand(command: Command, context: CommandContext, json: boolean, error: (text: string) => void): Promise<number> {
  try {
    const run = await command.load();
    const code = await run(context);
    return typeof code === "number" ? code : 0;
  } catch (failure) {
    if (failure instanceof UsageError) {
      error(`${failure.shortMessage}\n`);
      return 2;
    }
    const message = failure instanceof BaseError ? [failure.shortMessage, ...failure.metaMessages].join("\n") : failure instanceof Error ? failure.message : String(failure);
    if (json) error(`${JSON.stringify({ error: { name: failure instanceof Error ? failure.name : "Error", message } })}\n`);
    else error(`synod: ${message}\n`);
    return 1;
  }
}
