import { spawn, type ChildProcess } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { embeddedPostgresFromEnv, EmbeddedPostgresError, startEmbeddedPostgres, type EmbeddedPostgres } from "./embedded-postgres.js";

const root = mkdtempSync(join(tmpdir(), "fixup-embedded-pg-test-"));
// As root the server runs as `postgres`, which must be able to enter the directory.
chmodSync(root, 0o755);
const dataDir = join(root, "cluster");

async function query(url: string, sql: string): Promise<Array<Record<string, unknown>>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows as Array<Record<string, unknown>>;
  } finally {
    await client.end();
  }
}

async function failure(promise: Promise<unknown>): Promise<EmbeddedPostgresError> {
  const outcome = await promise.then(
    async (server) => {
      await (server as EmbeddedPostgres).stop();
      return new Error("expected the start to fail");
    },
    (error: unknown) => error,
  );
  if (outcome instanceof EmbeddedPostgresError) return outcome;
  throw outcome;
}

/** Another process owning the data directory, as a second `npm start` would meet it. */
function ownerProcess(dir: string): Promise<{ child: ChildProcess; url: string }> {
  const module = new URL("./embedded-postgres.ts", import.meta.url).pathname;
  const code = `const { startEmbeddedPostgres } = await import(${JSON.stringify(module)});
    const pg = await startEmbeddedPostgres({ dataDir: ${JSON.stringify(dir)} });
    console.log("READY " + pg.url);
    setInterval(() => undefined, 1000);`;
  const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", code], { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /READY (\S+)/.exec(output);
      if (match?.[1]) resolve({ child, url: match[1] });
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.once("exit", (code) => reject(new Error(`owner exited ${code}: ${output}`)));
  });
}

const pidAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

let busy: Server | undefined;
afterAll(async () => {
  await new Promise((resolve) => (busy ? busy.close(resolve) : resolve(undefined)));
  rmSync(root, { recursive: true, force: true });
});

describe("embedded PostgreSQL", () => {
  beforeAll(async () => {
    const first = await startEmbeddedPostgres({ dataDir });
    await query(first.url, "CREATE TABLE kept (v int); INSERT INTO kept VALUES (42)");
    await first.stop();
  }, 60_000);

  test("a real PostgreSQL 18 that keeps its data across restarts, and answers concurrent connections", async () => {
    const notes: string[] = [];
    const server = await startEmbeddedPostgres({ dataDir, log: (m) => notes.push(m) });
    try {
      expect(notes.some((n) => n.includes("initialising"))).toBe(false);
      expect(await query(server.url, "SELECT v FROM kept")).toEqual([{ v: 42 }]);
      const [row] = await query(server.url, "SHOW server_version_num");
      expect(Number(row?.server_version_num)).toBeGreaterThanOrEqual(180000);
      // Extended-protocol statements on many connections at once: what PGlite's socket interleaved.
      const results = await Promise.all(
        Array.from({ length: 30 }, async (_, i) => {
          const client = new pg.Client({ connectionString: server.url });
          await client.connect();
          try {
            return (await client.query<{ n: number }>("SELECT $1::int + 1 AS n", [i])).rows[0]?.n;
          } finally {
            await client.end();
          }
        }),
      );
      expect(results).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    } finally {
      await server.stop();
    }
    expect(existsSync(`${dataDir}.lock`)).toBe(false);
    expect(existsSync(join(dataDir, "postmaster.pid"))).toBe(false);
  });

  test("a second start on a directory another process owns fails at once with one line", async () => {
    const owner = await ownerProcess(dataDir);
    try {
      const error = await failure(startEmbeddedPostgres({ dataDir }));
      expect(error.message).toBe(`${dataDir} is already in use by another process (pid ${owner.child.pid}): stop it first, or use another data directory`);
      // The owner's server was left alone.
      expect(await query(owner.url, "SELECT v FROM kept")).toEqual([{ v: 42 }]);
    } finally {
      owner.child.kill("SIGTERM");
      await new Promise((resolve) => owner.child.once("exit", resolve));
    }
  }, 30_000);

  test("after kill -9 of its owner, the orphaned server is stopped and a new one starts on the same data", async () => {
    const owner = await ownerProcess(dataDir);
    const orphan = Number(readFileSync(join(dataDir, "postmaster.pid"), "utf8").split("\n")[0]);
    owner.child.kill("SIGKILL");
    await new Promise((resolve) => owner.child.once("exit", resolve));
    expect(pidAlive(orphan)).toBe(true);

    const notes: string[] = [];
    const server = await startEmbeddedPostgres({ dataDir, log: (m) => notes.push(m) });
    try {
      expect(pidAlive(orphan)).toBe(false);
      expect(notes).toEqual([expect.stringContaining(`stopping the PostgreSQL server (pid ${orphan}) a previous run left behind`)]);
      expect(await query(server.url, "SELECT v FROM kept")).toEqual([{ v: 42 }]);
    } finally {
      await server.stop();
    }
  }, 30_000);

  test("a stale postmaster.pid and lock (both owners dead, e.g. after a reboot) do not stop a start", async () => {
    writeFileSync(join(dataDir, "postmaster.pid"), `999999\n${dataDir}\n1700000000\n5432\n`);
    writeFileSync(`${dataDir}.lock`, "999998");
    const server = await startEmbeddedPostgres({ dataDir });
    try {
      expect(await query(server.url, "SELECT v FROM kept")).toEqual([{ v: 42 }]);
    } finally {
      await server.stop();
    }
  });

  test("a pinned port that is taken is a one-line error, not a hang, and the directory still starts after", async () => {
    busy = createServer();
    const port = await new Promise<number>((resolve) => busy?.listen(0, "127.0.0.1", () => resolve((busy?.address() as { port: number }).port)));
    const error = await failure(startEmbeddedPostgres({ dataDir, port }));
    expect(error.message).toBe(`port ${port} on 127.0.0.1 is already in use: choose another port for the embedded PostgreSQL`);
    const viaEnv = await failure(embeddedPostgresFromEnv({ EMBEDDED_DATA_DIR: dataDir, EMBEDDED_POSTGRES_PORT: String(port) }, () => undefined));
    expect(viaEnv.message).toBe(`EMBEDDED_POSTGRES_PORT=${port}: that port on 127.0.0.1 is already in use; choose another or unset it for a free one`);
    const server = await startEmbeddedPostgres({ dataDir });
    try {
      expect(await query(server.url, "SELECT v FROM kept")).toEqual([{ v: 42 }]);
    } finally {
      await server.stop();
    }
  });

  test("refuses a non-empty directory that is not a cluster, and a port that is not a port", async () => {
    const other = join(root, "not-a-cluster");
    mkdirSync(other);
    writeFileSync(join(other, "notes.txt"), "mine");
    expect((await failure(startEmbeddedPostgres({ dataDir: other }))).message).toBe(
      `${other} is not empty and holds no PostgreSQL cluster (no PG_VERSION): move it away or choose another directory`,
    );
    expect(readFileSync(join(other, "notes.txt"), "utf8")).toBe("mine");
    expect((await failure(embeddedPostgresFromEnv({ EMBEDDED_DATA_DIR: other, EMBEDDED_POSTGRES_PORT: "54x" }, () => undefined))).message).toBe(
      "EMBEDDED_POSTGRES_PORT must be a port number from 1 to 65535, got '54x'",
    );
  });
});
