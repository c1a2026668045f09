import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { afterAll, beforeAll, expect, test } from "vitest";
import { createLogger, type RunningServer } from "@fixup/platform";
import { startGateway } from "./app.js";
import { loadGatewayConfig } from "./config.js";

// A subgraph that answers a mutation's request in the worst ways a dying process can: the connection is reset after
// the request was read (its effect unknown to the gateway), or 503 from a server that is draining. The gateway must
// answer the client with an error and must not send the mutation again.
let subgraph: Server;
let gateway: RunningServer;
let mode: "reset" | "draining" = "reset";
const received: string[] = [];

beforeAll(async () => {
  subgraph = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString()));
    req.on("end", () => {
      received.push(body);
      if (mode === "reset") {
        req.socket.destroy();
        return;
      }
      res.writeHead(503, { "content-type": "application/json", connection: "close" });
      res.end(JSON.stringify({ errors: [{ message: "Server is shutting down; retry", extensions: { code: "INTERNAL_SERVER_ERROR" } }] }));
    });
  });
  await new Promise<void>((resolve) => subgraph.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(subgraph.address() as { port: number }).port}`;
  gateway = await startGateway(
    loadGatewayConfig({ NODE_ENV: "test", GATEWAY_PORT: "0", USERS_URL: url, CATALOG_URL: url, ORDERS_URL: url, CHAT_URL: url }),
    createLogger("test", "silent"),
  );
});
afterAll(async () => {
  await gateway?.close();
  await new Promise((resolve) => subgraph?.close(resolve));
});

const cancelOrder = async () => {
  const res = await fetch(`${gateway.url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query: 'mutation { cancelOrder(id: "o1") { id } }' }),
  });
  return (await res.json()) as { data?: unknown; errors?: Array<{ extensions?: { code?: string } }> };
};

test.each(["reset", "draining"] as const)("a mutation whose subgraph %s is sent once and answered with an error", async (how) => {
  mode = how;
  received.length = 0;
  const res = await cancelOrder();
  expect(res.errors?.[0]?.extensions?.code).toBe("INTERNAL_SERVER_ERROR");
  expect(res.data ?? null).toBeNull();
  expect(received.filter((body) => body.includes("cancelOrder"))).toHaveLength(1);
});
