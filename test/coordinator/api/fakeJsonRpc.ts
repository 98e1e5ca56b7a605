/**
 * A TEST DOUBLE of an Ethereum JSON-RPC endpoint: answers `eth_chainId` and
 * `eth_blockNumber` over real HTTP, so the chain health check runs viem end to end
 * without a chain. Anything else is a JSON-RPC "method not found".
 */
import http from "node:http";
import net, { type AddressInfo } from "node:net";

export type FakeJsonRpc = { url: string; close(): Promise<void> };

export async function startFakeJsonRpc({ chainId, blockNumber }: { chainId: number; blockNumber: bigint }): Promise<FakeJsonRpc> {
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const call = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { id: number; method: string };
      const result =
        call.method === "eth_chainId" ? `0x${chainId.toString(16)}` : call.method === "eth_blockNumber" ? `0x${blockNumber.toString(16)}` : undefined;
      const body =
        result === undefined
          ? { jsonrpc: "2.0", id: call.id, error: { code: -32601, message: "Method not found" } }
          : { jsonrpc: "2.0", id: call.id, result };
      response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/** A port nothing listens on: bind one, note it, release it. */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
