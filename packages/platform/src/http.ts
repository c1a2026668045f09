import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import express, { type ErrorRequestHandler, type Express, type RequestHandler } from "express";
import { accessLog } from "./access-log.js";
import { AppError, ErrorCode } from "./errors.js";
import { restTextBoundary } from "./input-boundary.js";
import type { Logger } from "./logger.js";
import type { Metrics } from "./metrics.js";
import type { TrustProxy } from "./config.js";

export const REQUEST_ID_HEADER = "x-request-id";
const REQUEST_ID_PATTERN = /^[\w.-]{1,128}$/;

/** Keeps a caller's request id when it looks sane, so one id follows a request gateway → subgraph. */
export function requestIdOf(req: IncomingMessage): string {
  const incoming = req.headers[REQUEST_ID_HEADER];
  const value = Array.isArray(incoming) ? incoming[0] : incoming;
  return value && REQUEST_ID_PATTERN.test(value) ? value : randomUUID();
}

/** express's compiled `trust proxy` setting: may the address `hop` steps away from us report the next one? */
export type TrustFn = (address: string, hop: number) => boolean;

/**
 * The X-Forwarded-For chain for the next service in line: only the part this hop's `trust proxy` setting vouches
 * for, then the peer. A client that is not a trusted proxy cannot pass a forged chain on. Works on plain
 * IncomingMessages too (graphql-ws upgrades), with the app's `trust proxy fn`; the walk is proxy-addr's `all`.
 */
export function forwardedFor(req: IncomingMessage, trust?: TrustFn): string {
  const check = trust ?? ((req as Partial<express.Request>).app?.get("trust proxy fn") as TrustFn | undefined) ?? (() => false);
  const peer = req.socket.remoteAddress ?? "";
  const header = req.headers["x-forwarded-for"];
  const claimed = (Array.isArray(header) ? header.join(",") : (header ?? "")).split(",").map((a) => a.trim()).filter(Boolean);
  const addresses = [peer, ...claimed.reverse()];
  let kept = 1;
  while (kept < addresses.length && check(addresses[kept - 1] as string, kept - 1)) kept++;
  return addresses.slice(0, kept).reverse().filter(Boolean).join(", ");
}

const SECRET_QUERY_PARAMS = /^(token|access_token|refresh_token|code|signature)$/i;

/** Mailed links carry single-use secrets in the query string: keep them out of access logs. */
export function redactQuery(url: string): string {
  const at = url.indexOf("?");
  if (at < 0) return url;
  const params = new URLSearchParams(url.slice(at + 1));
  for (const key of [...params.keys()]) if (SECRET_QUERY_PARAMS.test(key)) params.set(key, "[REDACTED]");
  return `${url.slice(0, at)}?${params.toString()}`;
}

/**
 * Reads and drops the rest of a request body nobody will use (an upload refused part-way), up to `maxBytes`; past
 * that the connection is destroyed. HTTP/1.1 frames a kept-alive connection's requests back to back: a body left
 * half-read holds the client's next request behind it, unanswered, until a timeout resets the socket.
 */
export function discardRequestBody(req: IncomingMessage, maxBytes: number): void {
  let dropped = 0;
  req.on("data", (chunk: Buffer) => {
    dropped += chunk.length;
    if (dropped > maxBytes) req.destroy();
  });
  req.resume();
}

export interface ReadinessCheck {
  name: string;
  check: () => Promise<unknown>;
}

/** An express app with request ids, access logs, duration metrics, /healthz, /readyz and /metrics. */
export function createBaseApp(
  logger: Logger,
  metrics: Metrics,
  readiness: ReadinessCheck[],
  options: { trustProxy?: TrustProxy } = {},
): Express {
  const app = express();
  app.disable("x-powered-by");
  // req.ip (per-IP rate limits, logs) is the client only when every proxy in front of us is trusted (TRUST_PROXY).
  app.set("trust proxy", options.trustProxy ?? ["loopback"]);
  app.use(
    accessLog(logger, {
      requestId: (req, res) => {
        const id = requestIdOf(req);
        res.setHeader(REQUEST_ID_HEADER, id);
        return id;
      },
      describe: (req) => ({ method: req.method, url: req.url && redactQuery(req.url), remoteAddress: req.socket.remoteAddress }),
      ignore: (req) => req.url === "/healthz" || req.url === "/metrics",
    }),
  );
  app.use((req, res, next) => {
    const end = metrics.httpDuration.startTimer({ method: req.method });
    res.on("finish", () => {
      const route = (req.route as { path?: string } | undefined)?.path ?? (req.baseUrl || "unmatched");
      end({ route: String(route), status: String(res.statusCode) });
    });
    next();
  });
  app.get("/healthz", (_req, res) => {
    res.json({ status: "ok" });
  });
  app.get("/readyz", async (_req, res) => {
    const results = await Promise.all(
      readiness.map(async ({ name, check }) => {
        try {
          await withTimeout(check(), 2_000);
          return [name, "ok"] as const;
        } catch (error) {
          logger.warn({ err: error, check: name }, "readiness check failed");
          return [name, "failing"] as const;
        }
      }),
    );
    const ok = results.every(([, status]) => status === "ok");
    res.status(ok ? 200 : 503).json({ status: ok ? "ok" : "unavailable", checks: Object.fromEntries(results) });
  });
  app.get("/metrics", async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  return app;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    promise.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

export function sendError(res: express.Response, error: AppError): void {
  if (error.retryAfterSeconds !== undefined) res.setHeader("Retry-After", String(error.retryAfterSeconds));
  const body: { code: string; message: string; reason?: string; fields?: Record<string, string> } = {
    code: error.code,
    message: error.message,
  };
  if (error.reason) body.reason = error.reason;
  if (error.fields) body.fields = error.fields;
  res.status(error.status).json({ error: body });
}

/**
 * JSON body parser for REST handlers: malformed JSON is 400 BAD_USER_INPUT (restErrorHandler), and so is a body with
 * text no field may hold (NUL, control characters, unpaired surrogates), before any handler runs.
 */
export const jsonBody = (limit = "100kb"): RequestHandler[] => [express.json({ limit }), restTextBoundary];

/** JSON body parser for /graphql: its text is checked per argument by the schema's input boundary instead. */
export const graphqlBody = (limit = "1mb"): RequestHandler => express.json({ limit });

export function restErrorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    if (res.headersSent) return next(error);
    if (error instanceof AppError) return sendError(res, error);
    const type = (error as { type?: string }).type;
    if (type === "entity.parse.failed") return sendError(res, new AppError(ErrorCode.BAD_USER_INPUT, "Malformed JSON body"));
    if (type === "entity.too.large") {
      return sendError(res, new AppError(ErrorCode.BAD_USER_INPUT, "Request body too large", { status: 413 }));
    }
    if (type === "encoding.unsupported" || type === "charset.unsupported") {
      return sendError(res, new AppError(ErrorCode.BAD_USER_INPUT, "Unsupported body encoding", { status: 415 }));
    }
    (req.log ?? logger).error({ err: error }, "unhandled REST error");
    sendError(res, new AppError(ErrorCode.INTERNAL_SERVER_ERROR, "Internal server error"));
  };
}

export const notFoundHandler: RequestHandler = (req, res) =>
  sendError(res, new AppError(ErrorCode.NOT_FOUND, `No route for ${req.method} ${req.path}`));
