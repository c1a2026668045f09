import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, expect, test } from "vitest";
import { eventually, gqlOk, registerUser } from "../support/federation.js";

// `npm start`'s path with nothing configured: embedded Postgres (PGlite) per service and in-process stand-ins for
// Redis, every service in one process. Run as a child process exactly as the README's quick start runs it.
let child: ChildProcess;
let url: string;
const dataDir = mkdtempSync(join(tmpdir(), "fixup-embedded-"));

beforeAll(async () => {
  const env: NodeJS.ProcessEnv = { ...process.env, EMBEDDED_DATA_DIR: dataDir, MAIL_OUTBOX_DIR: join(dataDir, "mail"), MEDIA_DIR: join(dataDir, "media"), LOG_LEVEL: "warn" };
  for (const key of ["DATABASE_URL", "REDIS_URL"]) delete env[key];
  Object.assign(env, { GATEWAY_PORT: "0", USERS_PORT: "0", CATALOG_PORT: "0", ORDERS_PORT: "0", CHAT_PORT: "0" });
  child = spawn(process.execPath, ["--import", "tsx", "scripts/start.ts"], { env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no start-up line within 60 s:\n${output}`)), 60_000);
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
    child.once("exit", (code) => reject(new Error(`start exited with ${code}:\n${output}`)));
  });
}, 90_000);

afterAll(() => {
  if (child.exitCode === null) child.kill("SIGKILL");
  rmSync(dataDir, { recursive: true, force: true });
});

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
      { i: { serviceId: plumbing, title: "Leaky tap", description: "Drips", address: "2 Side St" } },
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

  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  expect(await exited).toBe(0);
}, 60_000);
