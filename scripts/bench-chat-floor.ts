// bench:chat's reference broadcaster: the least any graphql-ws server can do to deliver one event to N subscribers —
// answer the protocol handshake, remember each subscription, and write one `next` frame per subscriber per event. No
// authentication, no upstream, no resolution. It runs as its own process, like the gateway, so bench:chat measures
// the gateway's delivery beside it in the same run, with the same subscriber processes on the same cores.
// Parent → child: { event } (the `data` to deliver). Child → parent: { port } once listening.
import { WebSocketServer, type WebSocket } from "ws";

const PROTOCOL = "graphql-transport-ws";
const subscriptions = new Map<WebSocket, Set<string>>();

const server = new WebSocketServer({
  host: "127.0.0.1",
  port: 0,
  handleProtocols: (protocols) => (protocols.has(PROTOCOL) ? PROTOCOL : false),
});

server.on("connection", (socket) => {
  const ids = new Set<string>();
  subscriptions.set(socket, ids);
  socket.on("message", (raw) => {
    const message = JSON.parse(String(raw)) as { type: string; id?: string };
    if (message.type === "connection_init") socket.send(JSON.stringify({ type: "connection_ack" }));
    else if (message.type === "ping") socket.send(JSON.stringify({ type: "pong" }));
    else if (message.type === "subscribe" && message.id) ids.add(message.id);
    else if (message.type === "complete" && message.id) ids.delete(message.id);
  });
  socket.on("close", () => subscriptions.delete(socket));
});

server.on("listening", () => {
  const address = server.address();
  if (address && typeof address === "object") process.send?.({ port: address.port });
});

process.on("message", (message: { event: unknown }) => {
  // Serialised once, as the gateway's fan-out does; only the operation id differs per frame.
  const payload = JSON.stringify({ data: message.event });
  for (const [socket, ids] of subscriptions) for (const id of ids) socket.send(`{"id":${JSON.stringify(id)},"type":"next","payload":${payload}}`);
});
process.on("disconnect", () => {
  for (const socket of subscriptions.keys()) socket.terminate();
  server.close();
});
