import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import express, { type ErrorRequestHandler, type Express, type RequestHandler } from "express";
import { accessLog } from "./access-log.js";
import { AppError, ErrorCode } from "./errors.js";
import type { Logger } from "./logger.js";
import type { Metrics } from "./metrics.js";

export const REQUEST_ID_HEADER = "x-request-id";
const REQUEST_ID_PATTERN = /^[\w.-]{1,128}$/;

/** Keeps a caller's request id when it looks sane, so one id follows a request gateway → subgraph. */
export function requestIdOf(req: IncomingMessage): string {
  const incoming = req.headers[REQUEST_ID_HEADER];
  const value = Array.isArray(incoming) ? incoming[0] : incoming;
  return value && REQUEST_ID_PATTERN.test(value) ? value : randomUUID();
}

/** The X-Forwarded-For chain with this hop's peer appended, for the next service in line. */
export function forwardedFor(req: IncomingMessage): string {
  return [req.headers["x-forwarded-for"], req.socket.remoteAddress].filter(Boolean).join(", ");
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

export interface ReadinessCheck {
  name: string;
  check: () => Promise<unknown>;
}

/** An express app with request ids, access logs, duration metrics, /healthz, /readyz and /metrics. */
export function createBaseApp(logger: Logger, metrics: Metrics, readiness: ReadinessCheck[]): Express {
  const app = express();
  app.disable("x-powered-by");
  app.set("trust proxy", "loopback");
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
  const body: { code: string; message: string; fields?: Record<string, string> } = {
    code: error.code,
    message: error.message,
  };
  if (error.fields) body.fields = error.fields;
  res.status(error.status).json({ error: body });
}

/** JSON body parser that answers malformed JSON with 400 BAD_USER_INPUT instead of an HTML page. */
export const jsonBody = (limit = "100kb"): RequestHandler => express.json({ limit });

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
