import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from "node:http";
import type { Socket } from "node:net";

export interface DrainableServer {
  server: Server;
  readonly draining: boolean;
  /**
   * Stops taking requests — on new and on kept-alive connections alike — lets every request already taken finish,
   * then closes every connection. Sockets still busy after `graceMs` are destroyed.
   */
  drain(graceMs?: number): Promise<void>;
}

/**
 * An HTTP server that shuts down without losing the answer of a request it took.
 *
 * Why not Apollo's drain plugin: it half-closes a kept-alive socket after its last response, but a client (the
 * gateway's connection pool) may already have sent the next request on it; that request was still read and
 * executed — a committed write whose answer could no longer be sent ("socket hang up"). Here, once draining:
 * - a request is taken only if it arrived before; anything read later is refused (503, `Connection: close`)
 *   before the application sees it, so it has no effect — an error, and nothing written;
 * - responses of requests in flight carry `Connection: close`, so the client does not reuse the socket;
 * - idle sockets are closed at once; the others when their last response has been sent.
 * Upgraded (WebSocket) connections are not HTTP requests: their owner closes them first.
 */
export function createDrainableServer(handler: RequestListener): DrainableServer {
  const inFlight = new Map<Socket, number>();
  const responses = new Set<ServerResponse>();
  let draining = false;
  let settle: (() => void) | undefined;

  const closeIfIdle = (socket: Socket) => {
    if (draining && !inFlight.get(socket)) socket.destroy();
  };
  const checkDone = () => {
    if (draining && responses.size === 0) settle?.();
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (draining) {
      refuse(req, res);
      return;
    }
    const socket = req.socket;
    inFlight.set(socket, (inFlight.get(socket) ?? 0) + 1);
    responses.add(res);
    res.once("close", () => {
      responses.delete(res);
      inFlight.set(socket, (inFlight.get(socket) ?? 1) - 1);
      if (draining && !inFlight.get(socket)) socket.end(); // response sent: let it flush, then the socket goes
      checkDone();
    });
    handler(req, res);
  });
  server.on("connection", (socket: Socket) => {
    inFlight.set(socket, 0);
    socket.once("close", () => inFlight.delete(socket));
  });

  return {
    server,
    get draining() {
      return draining;
    },
    drain(graceMs = 10_000) {
      if (draining) return Promise.resolve();
      draining = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const res of responses) if (!res.headersSent) res.setHeader("connection", "close");
      for (const socket of inFlight.keys()) closeIfIdle(socket);
      const finished = new Promise<void>((resolve) => {
        settle = resolve;
        checkDone();
      });
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, graceMs);
        timer.unref();
      });
      return Promise.race([finished, timedOut])
        .then(() => {
          clearTimeout(timer);
          for (const socket of inFlight.keys()) socket.destroy();
          return closed;
        });
    },
  };
}

/** What a request read after draining began gets: a retryable error, and nothing done. */
function refuse(req: IncomingMessage, res: ServerResponse): void {
  const message = "Server is shutting down; retry";
  const body =
    req.url === "/readyz"
      ? { status: "draining" }
      : req.url?.startsWith("/graphql")
        ? { errors: [{ message, extensions: { code: "INTERNAL_SERVER_ERROR" } }] }
        : { error: { code: "INTERNAL_SERVER_ERROR", message } };
  res.writeHead(503, { "content-type": "application/json", connection: "close", "retry-after": "1" });
  res.end(JSON.stringify(body));
}
