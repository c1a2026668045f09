// The production shape: users, catalog, orders, chat and the gateway as separate Node processes (`main.ts` of each)
// against real Postgres and Redis, each on its own port and database. Used by bench:chat and the processes e2e test.
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRedis, dropDatabase, withDatabase, type Redis } from "@fixup/platform";
import { freePort } from "./free-port.js";

export const SUBGRAPH_NAMES = ["users", "catalog", "orders", "chat"] as const;
type ProcessName = (typeof SUBGRAPH_NAMES)[number] | "gateway";

export interface RunningProcesses {
  gatewayUrl: string;
  urls: Record<(typeof SUBGRAPH_NAMES)[number], string>;
  pids: Record<ProcessName, number | undefined>;
  /** Peak resident set size of one process so far, in MiB (Linux /proc). */
  peakRssMb(name: ProcessName): number;
  /** Starts a process again (same port, env and database) once it has exited; resolves when it is ready. */
  restart(name: ProcessName): Promise<void>;
  /** SIGTERM, gateway first; resolves with each process's exit code; then drops the databases. */
  stop(): Promise<Record<ProcessName, number | null>>;
}

export interface ProcessOptions {
  databaseUrl: string;
  redisUrl: string;
  /** Prefix of the per-service databases (dropped by stop()). */
  databasePrefix: string;
  env?: NodeJS.ProcessEnv;
  /** Inherit the children's stdout/stderr (default) or drop them. */
  quiet?: boolean;
  /** Extra node flags for every process (e.g. `--cpu-prof`, which NODE_OPTIONS refuses). */
  nodeArgs?: string[];
  /** Run the production build in this directory (scripts/build.ts: `node <dir>/<service>/main.js`) instead of tsx. */
  buildDir?: string;
}

async function waitReady(url: string, child: ChildProcess, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${url}: process exited with ${child.exitCode} before it was ready`);
    try {
      if ((await fetch(`${url}/readyz`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} not ready within ${timeoutMs} ms`);
}

/**
 * Event streams have fixed names (`fixup:events:<service>`), so two stacks on one Redis database would consume each
 * other's events. A URL without a database number gets one of databases 1–15 of its own, handed out in turn by an
 * INCR on database 0 (concurrent stacks — tests running side by side — never share one); its `fixup:*` keys are
 * removed when the stack stops. A URL naming a database is used as it is.
 */
async function ownRedisDatabase(redisUrl: string): Promise<{ url: string; release(): Promise<void> }> {
  const url = new URL(redisUrl);
  if (url.pathname && url.pathname !== "/") return { url: redisUrl, release: async () => undefined };
  const counter = createRedis(redisUrl) as Redis;
  const n = await counter.incr("fixup:test-stack-databases");
  await counter.quit();
  url.pathname = `/${1 + (n % 15)}`;
  const own = url.toString();
  return {
    url: own,
    async release() {
      const redis = createRedis(own) as Redis;
      const keys = await redis.keys("fixup:*");
      if (keys.length) await redis.del(...keys);
      await redis.quit();
    },
  };
}

/** Peak resident set size of a process so far, in MiB (Linux /proc); NaN without one. */
export function peakRssMb(pid: number | undefined): number {
  const hwm = pid ? /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] : undefined;
  return hwm ? Math.round(Number(hwm) / 1024) : Number.NaN;
}

export async function startProcesses(options: ProcessOptions): Promise<RunningProcesses> {
  const names: ProcessName[] = [...SUBGRAPH_NAMES, "gateway"];
  const redisDatabase = await ownRedisDatabase(options.redisUrl);
  const ports = Object.fromEntries(await Promise.all(names.map(async (n) => [n, await freePort()]))) as Record<ProcessName, number>;
  const urls = Object.fromEntries(SUBGRAPH_NAMES.map((s) => [s, `http://127.0.0.1:${ports[s]}`])) as RunningProcesses["urls"];
  const databases = Object.fromEntries(SUBGRAPH_NAMES.map((s) => [s, withDatabase(options.databaseUrl, `${options.databasePrefix}_${s}`)]));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: "production",
    LOG_LEVEL: "warn",
    REDIS_URL: redisDatabase.url,
    USERS_URL: urls.users,
    CATALOG_URL: urls.catalog,
    ORDERS_URL: urls.orders,
    CHAT_URL: urls.chat,
    GATEWAY_PORT: String(ports.gateway),
    PUBLIC_BASE_URL: `http://127.0.0.1:${ports.gateway}`,
    // Production turns the verified-e-mail gate on; these stacks' users sign up without a mailbox to read. The gate has
    // its own end-to-end test (test/e2e/verified-email.e2e.test.ts); pass REQUIRE_VERIFIED_EMAIL in env to keep it on.
    REQUIRE_VERIFIED_EMAIL: "false",
    // Production refuses to start users without identity-number keys; one per stack (kept across restarts).
    IDENTITY_KEYS: `stack:${randomBytes(32).toString("base64")}`,
    // Production hashes at OWASP's scrypt cost and refuses a test run's cheaper PASSWORD_SCRYPT_LOG_N.
    PASSWORD_SCRYPT_LOG_N: undefined,
    ...options.env,
  };
  const children = new Map<ProcessName, ChildProcess>();
  const start = (name: ProcessName) => {
    const entry = name === "gateway" ? "gateway/src/main.ts" : `subgraphs/${name}/src/main.ts`;
    const args = options.buildDir ? ["--enable-source-maps", `${options.buildDir}/${name}/main.js`] : ["--import", "tsx", entry];
    const own = name === "gateway" ? {} : { [`${name.toUpperCase()}_PORT`]: String(ports[name]), [`${name.toUpperCase()}_DATABASE_URL`]: databases[name] };
    const child = spawn(process.execPath, [...(options.nodeArgs ?? []), ...args], {
      env: { ...env, ...own },
      stdio: ["ignore", options.quiet ? "ignore" : "inherit", options.quiet ? "ignore" : "inherit"],
    });
    children.set(name, child);
    return child;
  };
  const stop = async () => {
    const codes = {} as Record<ProcessName, number | null>;
    for (const name of ["gateway", ...SUBGRAPH_NAMES] as ProcessName[]) {
      const child = children.get(name);
      if (!child) continue;
      if (child.exitCode === null) {
        const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
        codes[name] = await exited;
        clearTimeout(timer);
      } else {
        codes[name] = child.exitCode;
      }
    }
    await Promise.all(Object.values(databases).map((url) => dropDatabase(url).catch(() => undefined)));
    await redisDatabase.release().catch(() => undefined);
    return codes;
  };
  try {
    // users first: the others fetch its JWKS.
    await waitReady(urls.users, start("users"));
    await Promise.all((["catalog", "orders", "chat"] as const).map((s) => waitReady(urls[s], start(s))));
    const gatewayUrl = `http://127.0.0.1:${ports.gateway}`;
    await waitReady(gatewayUrl, start("gateway"));
    const pids = Object.fromEntries(names.map((n) => [n, children.get(n)?.pid])) as RunningProcesses["pids"];
    const restart = async (name: ProcessName) => {
      const old = children.get(name);
      if (old && old.exitCode === null && old.signalCode === null) await new Promise((resolve) => old.once("exit", resolve));
      const child = start(name);
      pids[name] = child.pid;
      await waitReady(name === "gateway" ? gatewayUrl : urls[name], child);
    };
    return {
      gatewayUrl,
      urls,
      pids,
      peakRssMb: (name) => peakRssMb(pids[name]),
      restart,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
