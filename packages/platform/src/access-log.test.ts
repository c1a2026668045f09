import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import express from "express";
import { afterEach, expect, test } from "vitest";
import { accessLog } from "./access-log.js";
import { createLogger } from "./logger.js";

const servers: Array<{ close(): void }> = [];
afterEach(() => servers.splice(0).forEach((s) => s.close()));

async function serve(level: string, options: { slowMs?: number; debugSampleRate?: number } = {}) {
  const lines: Array<Record<string, unknown>> = [];
  const logger = createLogger("test", level, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  const app = express();
  app.use(accessLog(logger, { ...options, requestId: () => "req-1" }));
  app.get("/ok", (req, res) => {
    req.log.info("inside");
    res.json({ id: req.id });
  });
  app.get("/boom", (_req, res) => void res.status(500).end());
  app.get("/slow", (_req, res) => void setTimeout(() => res.end(), 30));
  const server = createServer(app).listen(0, "127.0.0.1");
  servers.push(server);
  await new Promise((r) => server.once("listening", r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { lines, get: (path: string) => fetch(`${base}${path}?token=secret`).then((r) => r.text()) };
}

test("ordinary requests write no access line; the request id reaches req.id and every line of req.log", async () => {
  const { lines, get } = await serve("info");
  expect(await get("/ok")).toBe('{"id":"req-1"}');
  expect(lines).toEqual([expect.objectContaining({ msg: "inside", reqId: "req-1" })]);
});

test("server errors are logged at error with the request", async () => {
  const { lines, get } = await serve("info");
  await get("/boom");
  await new Promise((r) => setTimeout(r, 10));
  expect(lines).toEqual([expect.objectContaining({ level: 50, msg: "request failed", reqId: "req-1", res: { statusCode: 500 } })]);
  expect(lines[0]?.req).toMatchObject({ method: "GET" });
});

test("slow requests are logged at warn", async () => {
  const { lines, get } = await serve("info", { slowMs: 10 });
  await get("/slow");
  await new Promise((r) => setTimeout(r, 10));
  expect(lines).toEqual([expect.objectContaining({ level: 40, msg: "slow request", reqId: "req-1" })]);
});

test("at debug, a sample of ordinary requests is logged", async () => {
  const { lines, get } = await serve("debug", { debugSampleRate: 1 });
  await get("/ok");
  await new Promise((r) => setTimeout(r, 10));
  expect(lines.map((l) => l.msg)).toEqual(["inside", "request completed"]);
});
