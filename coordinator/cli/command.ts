/**
 * What every `synod` command receives and what the registry in `main.ts` knows of it.
 * The commands import this file, never `main.ts`, so `main.ts` can load each command's
 * module only when that command runs.
 */
import type { ApiClient } from "../client/apiClient.ts";
import type { Output } from "./output.ts";

export type CommandContext = {
  api: ApiClient;
  out: Output;
  /** Positional arguments after the command name. */
  args: string[];
  options: { kind?: string; status?: string; round?: string; proposal?: string; epoch?: string; offset?: string; limit?: string };
  /** Calls `handler` on Ctrl-C instead of exiting, until the returned function is called (set by `main`). */
  onInterrupt?: (handler: () => void) => () => void;
  /** Diagnostics that must not mix with `--json` output: stderr (set by `main`). */
  error?: (text: string) => void;
};

/** A command's entry point; it may return the exit code (e.g. 1 for a chaos run that deviated), nothing means 0. */
export type CommandRun = (context: CommandContext) => Promise<void | number>;

/**
 * A registry entry. `load` imports the command's module (only when it runs);
 * `ownOptions`: the command parses its options itself (from `args`), only `--json` is taken out.
 */
export type Command = { load: () => Promise<CommandRun>; help: string; ownOptions?: boolean };
