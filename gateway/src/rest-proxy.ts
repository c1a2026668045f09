import { request as httpRequest, type IncomingMessage } from "node:http";
import type { RequestHandler } from "express";
import { AppError, discardRequestBody, ErrorCode, forwardedFor, REQUEST_ID_HEADER, sendError } from "@fixup/platform";

/** What we still read (and drop) of a body the service answered before taking whole; past it we hang up. */
const REFUSED_BODY_BUDGET_BYTES = 16 * 1024 * 1024;

const HOP_BY_HOP = new Set(["connection", "keep-alive", "transfer-encoding", "upgrade", "proxy-connection", "te", "trailer"]);

/** Streams a request to `target` unchanged (bodies are never buffered, so uploads pass through too). */
export function proxyTo(target: string): RequestHandler {
  const base = new URL(target);
  return (req, res) => {
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined && !HOP_BY_HOP.has(name)) headers[name] = value;
    }
    headers.host = base.host;
    headers[REQUEST_ID_HEADER] = String(req.id);
    headers["x-forwarded-for"] = forwardedFor(req);
    let response: IncomingMessage | undefined;
    const upstream = httpRequest(
      { protocol: base.protocol, hostname: base.hostname, port: base.port, method: req.method, path: req.originalUrl, headers },
      (answer) => {
        response = answer;
        const out: Record<string, string | string[]> = {};
        for (const [name, value] of Object.entries(answer.headers)) {
          if (value !== undefined && !HOP_BY_HOP.has(name)) out[name] = value;
        }
        res.writeHead(answer.statusCode ?? 502, out);
        answer.pipe(res);
        answer.once("end", () => {
          if (upstream.writableFinished) return;
          // The service answered before taking the whole body (a refused upload): the rest is of no use to it, and
          // Node's http client stops relaying 'drain' to a request whose response has ended, so piping on would stall
          // for good, leaving the client's kept-alive connection blocked behind the unread rest. Read it off here.
          req.unpipe(upstream);
          upstream.destroy();
          if (!req.complete) discardRequestBody(req, REFUSED_BODY_BUDGET_BYTES);
        });
      },
    );
    upstream.on("error", (error) => {
      // The service answered before reading the whole body (a refused upload) and hung up on the rest: the client has
      // its answer, and destroying `res` now would reset the client's keep-alive socket under its next request.
      if (response?.complete) return void req.log.debug({ err: error, target }, "upstream closed after answering");
      req.log.error({ err: error, target }, "upstream REST request failed");
      if (!res.headersSent) sendError(res, new AppError(ErrorCode.INTERNAL_SERVER_ERROR, "Upstream service unavailable", { status: 502 }));
      else res.destroy();
    });
    req.pipe(upstream);
  };
}
