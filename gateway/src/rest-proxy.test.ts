import { createServer, type Server } from "node:http";
import { connect } from "node:net";
import { afterEach, beforeEach, expect, test } from "vitest";
import { createBaseApp, createLogger, createMetrics } from "@fixup/platform";
import { proxyTo } from "./rest-proxy.js";

const KiB = 1024;
const MiB = 1024 * KiB;
const logger = createLogger("test", "silent");

let upstream: Server;
let gateway: Server;
let gatewayPort: number;
let upstreamBytes: number;

const listen = (server: Server) =>
  new Promise<number>((resolve) => server.listen(0, "127.0.0.1", () => resolve((server.address() as { port: number }).port)));

beforeEach(async () => {
  upstreamBytes = 0;
  // Like the users service's upload route: refuses at 64 KiB with 413, then reads and drops the rest of the body.
  upstream = createServer((req, res) => {
    let read = 0;
    req.on("data", (chunk: Buffer) => {
      read += chunk.length;
      upstreamBytes += chunk.length;
      if (read > 64 * KiB && !res.headersSent) res.writeHead(413, { "content-type": "application/json" }).end('{"error":"too large"}');
    });
    req.on("end", () => {
      if (!res.headersSent) res.end('{"ok":true}');
    });
  });
  const upstreamPort = await listen(upstream);
  const app = createBaseApp(logger, createMetrics("gateway-test"), []);
  app.use("/upload", proxyTo(`http://127.0.0.1:${upstreamPort}`));
  gateway = createServer(app);
  gatewayPort = await listen(gateway);
});

afterEach(async () => {
  for (const server of [gateway, upstream]) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

/** Writes `bytes` on one connection and collects what comes back until `responses` status lines arrived (or 5 s). */
function exchange(bytes: Buffer[], responses: number): Promise<{ statuses: number[]; closed: boolean }> {
  return new Promise((resolve) => {
    const socket = connect(gatewayPort, "127.0.0.1");
    let text = "";
    let closed = false;
    const statuses = () => [...text.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((m) => Number(m[1]));
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ statuses: statuses(), closed });
    };
    const timer = setTimeout(done, 5_000);
    socket.on("data", (chunk: Buffer) => {
      text += chunk.toString("latin1");
      if (statuses().length >= responses) done();
    });
    socket.on("error", () => {});
    socket.on("close", () => {
      closed = true;
      done();
    });
    for (const b of bytes) socket.write(b);
  });
}

const put = (size: number) => [
  Buffer.from(`PUT /upload HTTP/1.1\r\nhost: gateway\r\ncontent-type: application/octet-stream\r\ncontent-length: ${size}\r\n\r\n`),
  Buffer.alloc(size),
];
const healthz = Buffer.from("GET /healthz HTTP/1.1\r\nhost: gateway\r\n\r\n");

test("a body the service refused part-way is still read off the client's connection, so its next request is answered", async () => {
  // A client that had sent its whole upload reuses the kept-alive connection at once (undici's pool does). Node's
  // http client stops relaying 'drain' to a request whose response has ended, so a body still being piped upstream
  // then stalled for good: the next request sat behind its unread rest until the keep-alive timeout reset the socket.
  const result = await exchange([...put(8 * MiB), healthz], 2);
  expect(result.statuses).toEqual([413, 200]);
  expect(result.closed).toBe(false);
});

test("an upload the service accepts is forwarded whole, and the connection stays usable", async () => {
  const result = await exchange([Buffer.from(`PUT /upload HTTP/1.1\r\nhost: gateway\r\ncontent-length: 5\r\n\r\nhello`), healthz], 2);
  expect(result.statuses).toEqual([200, 200]);
  expect(upstreamBytes).toBe(5);
});
