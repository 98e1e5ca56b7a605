/**
 * `synod node-host --nodes K --coordinator URL [--first-index I] [--keys FILE] [--data mnist|sensor] …`
 *
 * Runs K mesh nodes (a host agent and its worker process) until SIGINT/SIGTERM (see
 * `coordinator/mesh/nodeHost/nodeHostOptions.ts` for every option). On another
 * machine, point `--coordinator` at the coordinator's public URL and admit the printed
 * addresses there with `synod nodes admit`.
 */
import { runNodeHost } from "../../mesh/nodeHost/nodeHostMain.ts";
import type { CommandContext } from "../command.ts";

export async function nodeHostCommand({ args }: CommandContext): Promise<void> {
  const code = await runNodeHost(args);
  // The host ran as the whole process: leave now rather than wait for idle keep-alive sockets.
  process.exit(code);
}
