import { createServer, type Server } from "node:net";
import { afterEach, expect, test } from "vitest";
import { findOrStartRedis } from "./redis-server.js";

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

/** A TCP server on a free port answering every line with `reply` (a Redis, or something else). */
async function listening(reply: string): Promise<number> {
  const server = createServer((socket) => socket.on("data", () => socket.end(reply)));
  servers.push(server);
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve((server.address() as { port: number }).port)));
}

const noContainer = () => Promise.resolve(undefined);

test("REDIS_URL wins without looking further", async () => {
  expect(await findOrStartRedis("redis://cache:6380/1", { localPort: 1, container: noContainer })).toEqual({ url: "redis://cache:6380/1" });
});

test("else a local server that answers PING", async () => {
  const port = await listening("+PONG\r\n");
  expect(await findOrStartRedis(undefined, { localPort: port, container: noContainer })).toEqual({ url: `redis://127.0.0.1:${port}` });
});

test("else a container; a port that answers something other than PONG is not Redis", async () => {
  const port = await listening("HTTP/1.1 400 Bad Request\r\n\r\n");
  const container = { url: "redis://127.0.0.1:49000" };
  expect(await findOrStartRedis(undefined, { localPort: port, container: () => Promise.resolve(container) })).toBe(container);
});

test("else one line naming the three ways", async () => {
  const port = await listening("-ERR\r\n");
  await expect(findOrStartRedis(undefined, { localPort: port, container: noContainer })).rejects.toThrow(
    `The tests need Redis: set REDIS_URL, run redis-server on 127.0.0.1:${port}, or make a Docker engine reachable (a redis container is then started)`,
  );
});
