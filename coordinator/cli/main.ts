/**
 * `synod` — the operator CLI. Each command talks to a running coordinator over its
 * HTTP API (`SYNOD_API_URL`, default http://127.0.0.1:8787); `--json` prints
 * machine-readable output.
 */
import { parseArgs } from "node:util";
import { BaseError } from "../errors/base.ts";
import { createApiClient, type ApiClient } from "./apiClient.ts";
import { knowledgeCommand } from "./commands/knowledge.ts";
import { nodeHostCommand } from "./commands/nodeHost.ts";
import { nodesCommand } from "./commands/nodes.ts";
import { proposalsCommand } from "./commands/proposals.ts";
import { telegramCommand } from "./commands/telegram.ts";
import { createOutput, type Output } from "./output.ts";

/** A command was called the wrong way; the message shows the right way. */
export class UsageError extends BaseError {
  constructor(usage: string) {
    super(`Usage: ${usage}`, { name: "UsageError" });
  }
}

export type CommandContext = {
  api: ApiClient;
  out: Output;
  /** Positional arguments after the command name. */
  args: string[];
  options: { kind?: string; status?: string; round?: string; limit?: string };
};

/** `ownOptions`: the command parses its options itself (from `args`); only `--json` is taken out. */
type Command = { run: (context: CommandContext) => Promise<void>; help: string; ownOptions?: boolean };

export const COMMANDS: Record<string, Command> = {
  knowledge: { run: knowledgeCommand, help: "knowledge ls|get CID|publish FILE   records: list, read (verified), queue" },
  proposals: { run: proposalsCommand, help: "proposals ls|show ID                 Governor proposals with votes" },
  nodes: { run: nodesCommand, help: "nodes deploy|status|rollback|admit   mesh-node hosts: staged deployment, health, rollback", ownOptions: true },
  "node-host": { run: nodeHostCommand, help: "node-host --nodes K --coordinator    run K mesh nodes in this process (coordinator URL)", ownOptions: true },
  telegram: { run: telegramCommand, help: "telegram                             run the Telegram bot against this coordinator" },
};

function usage(): string {
  return ["Usage: synod <command> [options] [--json]", "", ...Object.values(COMMANDS).map((c) => `  ${c.help}`), "", "Environment: SYNOD_API_URL, SYNOD_ADMIN_TOKEN (or $SYNOD_DATA_DIR/admin-token)"].join("\n");
}

/**
 * Runs the CLI.
 * @param argv - arguments after `synod`.
 * @returns the process exit code: 0 ok, 1 failed, 2 usage.
 */
export async function main(argv: string[], io: { write?: (text: string) => void; error?: (text: string) => void; env?: Record<string, string | undefined> } = {}): Promise<number> {
  const error = io.error ?? ((text: string) => process.stderr.write(text));
  const own = argv[0] !== undefined && !argv[0].startsWith("-") ? COMMANDS[argv[0]] : undefined;
  if (own?.ownOptions) {
    const json = argv.includes("--json");
    const out = createOutput({ json, ...(io.write ? { write: io.write } : {}) });
    return runCommand(own, { api: createApiClient(io.env ? { env: io.env } : {}), out, args: argv.slice(1).filter((a) => a !== "--json"), options: {} }, json, error);
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
  return runCommand(command, { api: createApiClient(io.env ? { env: io.env } : {}), out, args, options }, parsed.values.json, error);
}

async function runCommand(command: Command, context: CommandContext, json: boolean, error: (text: string) => void): Promise<number> {
  try {
    await command.run(context);
    return 0;
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
