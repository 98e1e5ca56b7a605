/**
 * Deployment progress on stderr: a redrawn bar on a terminal, one line per finished
 * batch otherwise (logs and CI keep readable history instead of carriage returns).
 */

/** What the deployer reports as it goes. */
export type DeployProgressEvent =
  | { type: "stage"; stage: number; target: number; healthy: number }
  | { type: "batch-started"; batch: string; stage: number; nodes: number; hosts: number }
  | { type: "batch-health"; batch: string; healthy: number; nodes: number; elapsedMs: number; total: number; target: number }
  | { type: "batch-finished"; batch: string; status: "healthy" | "rolled-back"; durationMs: number; reason: string | null; total: number; target: number };

/**
 * @param stream - where to draw, default `process.stderr`.
 * @returns a progress listener for `deployMeshNodes`.
 */
export function createProgressBar(stream: NodeJS.WriteStream = process.stderr): (event: DeployProgressEvent) => void {
  const tty = stream.isTTY === true;
  const width = 30;
  const bar = (done: number, total: number) => {
    const filled = total > 0 ? Math.min(width, Math.round((done / total) * width)) : 0;
    return `[${"#".repeat(filled)}${"-".repeat(width - filled)}]`;
  };
  return (event) => {
    switch (event.type) {
      case "stage":
        stream.write(`${tty ? "\n" : ""}stage ${event.stage}: ${event.healthy} → ${event.target} nodes\n`);
        return;
      case "batch-health":
        if (tty) stream.write(`\r${bar(event.total + event.healthy, event.target)} ${event.total + event.healthy}/${event.target} nodes · ${event.batch} ${event.healthy}/${event.nodes} healthy · ${(event.elapsedMs / 1000).toFixed(1)} s `);
        return;
      case "batch-finished":
        stream.write(
          `${tty ? "\r" : ""}${bar(event.total, event.target)} ${event.total}/${event.target} nodes · ${event.batch} ${event.status} in ${(event.durationMs / 1000).toFixed(1)} s${event.reason ? ` (${event.reason})` : ""}${tty ? "\x1b[K" : ""}\n`,
        );
        return;
      default:
        return;
    }
  };
}
