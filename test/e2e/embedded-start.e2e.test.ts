import { type ChildProcess } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, expect, test } from "vitest";
import { eventually, gqlOk, postJson, registerUser } from "../support/federation.js";
import { startDefault, stopGracefully } from "../support/start-process.js";

// `npm start`'s path with nothing configured: one embedded PostgreSQL server (a database per service) and
// in-process stand-ins for Redis, every service in one process. Run as a child process exactly as the README's
// quick start runs it.
let child: ChildProcess;
let url: string;
const dataDir = mkdtempSync(join(tmpdir(), "fixup-embedded-"));
// As root the embedded server runs as `postgres`, which must be able to enter the directory.
chmodSync(dataDir, 0o755);
const env = { EMBEDDED_DATA_DIR: join(dataDir, "postgres"), MAIL_OUTBOX_DIR: join(dataDir, "mail"), MEDIA_DIR: join(dataDir, "media"), IDENTITY_KEY_FILE: join(dataDir, "identity-keys") };

beforeAll(async () => {
  ({ child, url } = await startDefault(env));
}, 150_000);

afterAll(() => {
  if (child.exitCode === null) child.kill("SIGKILL");
  rmSync(dataDir, { recursive: true, force: true });
});

/** A start that must fail: its exit code and what it wrote. */
async function failedStart(extra: NodeJS.ProcessEnv): Promise<string> {
  const outcome = await startDefault({ ...env, ...extra }).then(
    (started) => {
      started.child.kill("SIGKILL");
      return new Error("the second start came up");
    },
    (error: unknown) => error as Error,
  );
  return outcome.message;
}

test("a second `npm start` on the same data, or on a pinned port that is taken, stops at once with one line", async () => {
  const second = await failedStart({});
  expect(second).toMatch(/^start exited with 1:\nnpm start: \S+\/postgres is already in use by another process \(pid \d+\): stop it first, or use another data directory\n$/);

  const busy = createServer();
  const port = await new Promise<number>((resolve) => busy.listen(0, "127.0.0.1", () => resolve((busy.address() as { port: number }).port)));
  try {
    const pinned = await failedStart({ EMBEDDED_DATA_DIR: join(dataDir, "other"), EMBEDDED_POSTGRES_PORT: String(port) });
    expect(pinned).toBe(`start exited with 1:\nnpm start: EMBEDDED_POSTGRES_PORT=${port}: that port on 127.0.0.1 is already in use; choose another or unset it for a free one\n`);
  } finally {
    busy.close();
  }
}, 300_000);

test("embedded default: register → assign → order → offer → accept, then SIGTERM exits cleanly", async () => {
  const { services } = await gqlOk<{ services: Array<{ id: string; name: string }> }>(url, "{ services { id name } }");
  const plumbing = services.find((s) => s.name === "Plumbing")?.id;
  expect(plumbing).toBeDefined();
  const customer = await registerUser(url, ["CUSTOMER"], "Embedded Customer");
  const provider = await registerUser(url, ["PROVIDER"], "Embedded Provider");
  await gqlOk(url, "mutation($s: ID!) { assignService(serviceId: $s) { id } }", { s: plumbing }, provider.token);
  const { createOrder } = await eventually(() =>
    gqlOk<{ createOrder: { id: string } }>(
      url,
      "mutation($i: CreateOrderInput!) { createOrder(input: $i) { id } }",
      { i: { serviceId: plumbing, title: "Leaky tap", description: "Drips", address: "2 Side St", location: { lat: 52.52, lng: 13.405 } } },
      customer.token,
    ),
  );
  const offer = await eventually(() =>
    gqlOk<{ submitOffer: { id: string } }>(
      url,
      "mutation($i: SubmitOfferInput!) { submitOffer(input: $i) { id } }",
      { i: { orderId: createOrder.id, price: { amount: 4500, currency: "EUR" } } },
      provider.token,
    ),
  );
  const accepted = await gqlOk<{ acceptOffer: { status: string; acceptedOffer: { provider: { name: string } } } }>(
    url,
    "mutation($id: ID!) { acceptOffer(offerId: $id) { status acceptedOffer { provider { name } } } }",
    { id: offer.submitOffer.id },
    customer.token,
  );
  expect(accepted.acceptOffer).toEqual({ status: "ASSIGNED", acceptedOffer: { provider: { name: "Embedded Provider" } } });

  // Avatar on local disk, served back through the gateway.
  const png = await sharp({ create: { width: 64, height: 64, channels: 3, background: "#3366cc" } }).png().toBuffer();
  const form = new FormData();
  form.append("file", new Blob([new Uint8Array(png)], { type: "image/png" }), "me.png");
  const uploaded = await fetch(`${url}/users/me/avatar`, { method: "PUT", headers: { authorization: `Bearer ${customer.token}` }, body: form });
  expect(uploaded.status).toBe(200);
  const { me } = await gqlOk<{ me: { avatarUrl: string } }>(url, "{ me { avatarUrl } }", {}, customer.token);
  expect(new URL(me.avatarUrl).port).toBe(new URL(url).port);
  const image = await fetch(me.avatarUrl.replace("localhost", "127.0.0.1"));
  expect(image.status).toBe(200);
  expect(image.headers.get("content-type")).toBe("image/webp");

  expect(await stopGracefully(child)).toBe(0);
  // The server went down with it, and the data outlives it: the next start finds the account.
  expect(existsSync(join(env.EMBEDDED_DATA_DIR, "postmaster.pid"))).toBe(false);
  ({ child, url } = await startDefault(env));
  const login = await postJson(url, "/auth/login", { email: customer.email, password: "correct horse" });
  expect(login.status).toBe(200);
  expect(await stopGracefully(child)).toBe(0);
}, 300_000);
