// Container health probe (Dockerfile HEALTHCHECK, compose healthcheck): `node healthcheck.mjs [/healthz|/readyz]`.
// Built to dist/<service>/healthcheck.mjs with no imports, so it starts fast and needs none of the app's dependencies.
const DEFAULT_PORTS: Record<string, number> = { gateway: 4000, users: 4001, catalog: 4002, orders: 4003, chat: 4004 };
const service = process.env.SERVICE ?? "gateway";
const port = process.env[`${service.toUpperCase()}_PORT`] || DEFAULT_PORTS[service];
const path = process.argv[2] ?? "/healthz";
try {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(2500) });
  process.exit(response.ok ? 0 : 1);
} catch {
  process.exit(1);
}
export {};
