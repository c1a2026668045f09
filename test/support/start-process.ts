import { spawn, type ChildProcess } from "node:child_process";

export interface StartedProcess {
  child: ChildProcess;
  /** The gateway's base URL, from the line `npm start` prints when it is up. */
  url: string;
  /** Everything the process wrote so far (and keeps collecting). */
  output(): string;
}

/**
 * `scripts/start.ts` as a child process exactly as `npm start` runs it, on free ports, with nothing of this
 * process's DATABASE_URL/REDIS_URL: the embedded default.
 */
export async function startDefault(env: NodeJS.ProcessEnv): Promise<StartedProcess> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: "warn", ...env };
  for (const key of ["DATABASE_URL", "REDIS_URL"]) if (!(key in env)) delete childEnv[key];
  Object.assign(childEnv, { GATEWAY_PORT: "0", USERS_PORT: "0", CATALOG_PORT: "0", ORDERS_PORT: "0", CHAT_PORT: "0" });
  const child = spawn(process.execPath, ["--import", "tsx", "scripts/start.ts"], { env: childEnv, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no start-up line within 120 s:\n${output}`)), 120_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Fixup gateway: (http:\/\/\S+)\/graphql/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`start exited with ${code}:\n${output}`));
    });
  });
  return { child, url, output: () => output };
}

/** SIGTERM and the exit code it led to. */
export async function stopGracefully(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  return exited;
}
