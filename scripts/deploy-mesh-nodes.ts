/**
 * Staged deployment of mesh nodes in node-host processes: `synod nodes deploy` as a
 * script. Talks to the coordinator at SYNOD_API_URL with the admin token.
 *
 *   npx tsx scripts/deploy-mesh-nodes.ts --stages 50,100,500 --batch-size 50
 *   npx tsx scripts/deploy-mesh-nodes.ts --count 50 --batch-size 10 --fail-batch 3:wrong-key
 *   npx tsx scripts/deploy-mesh-nodes.ts --rollback-all
 *
 * Options: see `coordinator/cli/commands/nodes.ts`. Progress bars on stderr, the
 * summary on stdout (`--json` for JSON).
 */
import { main } from "../coordinator/cli/main.ts";

process.exitCode = await main(["nodes", "deploy", ...process.argv.slice(2)]);
