import { execFile } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { gqlOk, registerUser, uniqueEmail } from "../support/federation.js";
import { assignThenOffer, loginToken, offerThenConversation, serviceThenOrder, type Actors } from "../support/read-your-writes.js";
import { startDefault, stopGracefully, type StartedProcess } from "../support/start-process.js";

// The consistency rule on the default `npm start` (embedded PostgreSQL, in-process event bus): a client's next step,
// the moment the previous mutation answered, is never refused because an integration event is still in flight.
const ITERATIONS = 100;
const PASSWORD = "correct horse battery";
const exec = promisify(execFile);

const dataDir = mkdtempSync(join(tmpdir(), "fixup-ryw-"));
chmodSync(dataDir, 0o755); // as root the embedded server runs as `postgres`, which must enter the directory
const env = { EMBEDDED_DATA_DIR: join(dataDir, "postgres"), MAIL_OUTBOX_DIR: join(dataDir, "mail"), MEDIA_DIR: join(dataDir, "media"), IDENTITY_KEY_FILE: join(dataDir, "identity-keys") };
let started: StartedProcess;
let actors: Actors;

beforeAll(async () => {
  // An ADMIN for createService, made the way an operator does (before `npm start`, on the same data).
  const adminEmail = uniqueEmail("admin");
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env, LOG_LEVEL: "warn" };
  delete childEnv.DATABASE_URL;
  delete childEnv.USERS_DATABASE_URL;
  await exec(process.execPath, ["--import", "tsx", "subgraphs/users/src/cli/create-admin.ts", "--email", adminEmail, "--password", PASSWORD], { env: childEnv });
  started = await startDefault(env);
  const url = started.url;
  const { services } = await gqlOk<{ services: Array<{ id: string }> }>(url, '{ services(search: "plumbing") { id } }');
  const [customer, provider] = await Promise.all([registerUser(url, ["CUSTOMER"], "RYW Customer"), registerUser(url, ["PROVIDER"], "RYW Provider")]);
  actors = { customer, provider, serviceId: services[0]?.id as string, adminToken: await loginToken(url, adminEmail, PASSWORD) };
}, 180_000);

afterAll(async () => {
  if (started) expect(await stopGracefully(started.child)).toBe(0);
  rmSync(dataDir, { recursive: true, force: true });
}, 60_000);

describe("read-your-writes on the default start", () => {
  test(`assignService → submitOffer, ${ITERATIONS} times: zero refusals`, async () => {
    expect(await assignThenOffer([started.url], actors, ITERATIONS)).toEqual([]);
  }, 120_000);

  test(`submitOffer → startConversation, ${ITERATIONS} times: zero refusals`, async () => {
    expect(await offerThenConversation([started.url], actors, ITERATIONS)).toEqual([]);
  }, 120_000);

  test(`createService → createOrder, ${ITERATIONS} times: zero refusals`, async () => {
    expect(await serviceThenOrder([started.url], actors, ITERATIONS)).toEqual([]);
  }, 120_000);
});
