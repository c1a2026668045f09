import { access, mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createLogger, type RunningServer } from "@fixup/platform";
import { createTestDatabase, type TestDatabase } from "@fixup/platform/testing";
import { loadGatewayConfig, startGateway } from "@fixup/gateway";
import { loadUsersConfig, migrationsDir, startUsersService } from "@fixup/users";
import { HTML_BYTES, startTestS3, testImage, type TestS3 } from "../../subgraphs/users/test/storage-support.js";
import { gqlOk, registerUser, type TestUser } from "../support/federation.js";

const MiB = 1024 * 1024;
const logger = createLogger("test", process.env.LOG_LEVEL ?? "silent");

/** A port nothing listens on yet: the users service must know the gateway's public URL before the gateway starts. */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

interface Stack {
  gatewayUrl: string;
  stop(): Promise<void>;
}

/** Just users + the gateway (the avatar paths touch nothing else); other subgraph URLs point at a closed port. */
async function startStack(env: Record<string, string>): Promise<Stack> {
  const servers: RunningServer[] = [];
  let db: TestDatabase | undefined;
  const stop = async () => {
    for (const s of servers.reverse()) await s.close();
    await db?.drop();
  };
  try {
    db = await createTestDatabase("users", migrationsDir);
    const port = await freePort();
    const gatewayUrl = `http://127.0.0.1:${port}`;
    const users = await startUsersService(
      loadUsersConfig({ NODE_ENV: "test", USERS_PORT: "0", USERS_DATABASE_URL: db.url, PUBLIC_BASE_URL: gatewayUrl, ...env }),
      { logger, redis: null },
    );
    servers.push(users);
    const nowhere = "http://127.0.0.1:9";
    servers.push(
      await startGateway(
        loadGatewayConfig({ NODE_ENV: "test", GATEWAY_PORT: String(port), USERS_URL: users.url, CATALOG_URL: nowhere, ORDERS_URL: nowhere, CHAT_URL: nowhere }),
        logger,
      ),
    );
    return { gatewayUrl, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

type Part = [field: string, bytes: Buffer, filename: string, type: string];
const form = (...parts: Part[]) => {
  const body = new FormData();
  for (const [field, bytes, filename, type] of parts) body.append(field, new Blob([new Uint8Array(bytes)], { type }), filename);
  return body;
};

async function upload(gatewayUrl: string, body: FormData, token?: string) {
  const res = await fetch(`${gatewayUrl}/users/me/avatar`, {
    method: "PUT",
    body,
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  return { status: res.status, body: (await res.json()) as { avatarUrl?: string; error?: { code: string; message: string } } };
}

const myAvatarUrl = async (gatewayUrl: string, token: string) =>
  (await gqlOk<{ me: { avatarUrl: string | null } }>(gatewayUrl, "{ me { avatarUrl } }", {}, token)).me.avatarUrl;

/** GETs an avatar URL and checks it is our re-encoded image: WebP, resized to fit 1024 px. */
async function expectStoredImage(url: string, width: number, height: number) {
  const res = await fetch(url);
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toBe("image/webp");
  const meta = await sharp(Buffer.from(await res.arrayBuffer())).metadata();
  expect(meta).toMatchObject({ format: "webp", width, height });
  expect(meta.exif).toBeUndefined();
}

const exists = (path: string) => access(path).then(() => true, () => false);

describe("avatar upload through the gateway, local-disk storage", () => {
  let stack: Stack;
  let mediaDir: string;
  let user: TestUser;
  beforeAll(async () => {
    mediaDir = await mkdtemp(join(tmpdir(), "fixup-e2e-media-"));
    stack = await startStack({ MEDIA_DIR: mediaDir });
    user = await registerUser(stack.gatewayUrl, ["CUSTOMER"], "Avatar Owner");
  });
  afterAll(async () => {
    await stack?.stop();
    await rm(mediaDir, { recursive: true, force: true });
  });

  test("register → upload PNG → me { avatarUrl } → GET it through the gateway; a new upload deletes the old file", async () => {
    expect(await myAvatarUrl(stack.gatewayUrl, user.token)).toBeNull();

    const first = await upload(stack.gatewayUrl, form(["file", await testImage("png", 2048, 1024), "me.png", "image/png"]), user.token);
    expect(first.status).toBe(200);
    const firstUrl = first.body.avatarUrl ?? "";
    expect(firstUrl).toMatch(new RegExp(`^${stack.gatewayUrl}/media/avatars/${user.id}/[0-9a-f-]{36}\\.webp$`));
    expect(await myAvatarUrl(stack.gatewayUrl, user.token)).toBe(firstUrl);
    await expectStoredImage(firstUrl, 1024, 512);
    const firstFile = join(mediaDir, new URL(firstUrl).pathname.replace(/^\/media\//, ""));
    expect(await exists(firstFile)).toBe(true);

    // Public profile data: anyone sees the avatar.
    const anon = await gqlOk<{ user: { avatarUrl: string } }>(stack.gatewayUrl, "query($id: ID!) { user(id: $id) { avatarUrl } }", { id: user.id });
    expect(anon.user.avatarUrl).toBe(firstUrl);

    const second = await upload(stack.gatewayUrl, form(["file", await testImage("jpeg", 300, 200), "me.jpg", "image/jpeg"]), user.token);
    expect(second.status).toBe(200);
    const secondUrl = second.body.avatarUrl ?? "";
    expect(secondUrl).not.toBe(firstUrl);
    expect(await myAvatarUrl(stack.gatewayUrl, user.token)).toBe(secondUrl);
    await expectStoredImage(secondUrl, 300, 200);
    expect(await exists(firstFile)).toBe(false);
    expect((await fetch(firstUrl)).status).toBe(404);
  });

  const png = () => testImage("png");
  test.each<{ name: string; status: number; code: string; body: () => Promise<FormData>; anonymous?: boolean }>([
    { name: "6 MiB", status: 413, code: "BAD_USER_INPUT", body: async () => form(["file", Buffer.concat([await png(), Buffer.alloc(6 * MiB)]), "big.png", "image/png"]) },
    { name: "HTML named .png", status: 415, code: "BAD_USER_INPUT", body: async () => form(["file", HTML_BYTES, "avatar.png", "image/png"]) },
    { name: "no file", status: 400, code: "BAD_USER_INPUT", body: async () => new FormData() },
    { name: "two files", status: 400, code: "BAD_USER_INPUT", body: async () => form(["file", await png(), "a.png", "image/png"], ["file", await png(), "b.png", "image/png"]) },
    { name: "no auth", status: 401, code: "UNAUTHENTICATED", body: async () => form(["file", await png(), "a.png", "image/png"]), anonymous: true },
  ])("$name → $status $code, avatar unchanged", async ({ body, status, code, anonymous }) => {
    const before = await myAvatarUrl(stack.gatewayUrl, user.token);
    const res = await upload(stack.gatewayUrl, await body(), anonymous ? undefined : user.token);
    expect(res.status).toBe(status);
    expect(res.body).toEqual({ error: expect.objectContaining({ code, message: expect.any(String) }) });
    expect(await myAvatarUrl(stack.gatewayUrl, user.token)).toBe(before);
  });

  test("deleteMe removes the account's avatar file too", async () => {
    const leaving = await registerUser(stack.gatewayUrl, ["CUSTOMER"], "Leaving");
    const uploaded = await upload(stack.gatewayUrl, form(["file", await png(), "me.png", "image/png"]), leaving.token);
    const file = join(mediaDir, new URL(uploaded.body.avatarUrl ?? "").pathname.replace(/^\/media\//, ""));
    expect(await exists(file)).toBe(true);
    await gqlOk(stack.gatewayUrl, 'mutation { deleteMe(password: "correct horse") }', {}, leaving.token);
    expect(await exists(file)).toBe(false);
  });
});

describe("avatar upload through the gateway, S3 storage (s3rver)", () => {
  let s3: TestS3;
  let stack: Stack;
  beforeAll(async () => {
    s3 = await startTestS3("fixup-avatars");
    stack = await startStack({
      AVATAR_S3_BUCKET: s3.bucket,
      S3_ENDPOINT: s3.endpoint,
      S3_FORCE_PATH_STYLE: "true",
      AWS_ACCESS_KEY_ID: s3.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: s3.credentials.secretAccessKey,
    });
  });
  afterAll(async () => {
    await stack?.stop();
    await s3?.stop();
  });

  test("upload → avatarUrl is a path-style S3 URL served by s3rver; a new upload deletes the old object", async () => {
    const user = await registerUser(stack.gatewayUrl, ["PROVIDER"], "S3 Owner");
    const first = await upload(stack.gatewayUrl, form(["file", await testImage("webp", 640, 480), "me.webp", "image/webp"]), user.token);
    expect(first.status).toBe(200);
    const firstUrl = first.body.avatarUrl ?? "";
    expect(firstUrl).toMatch(new RegExp(`^${s3.endpoint}/${s3.bucket}/avatars/${user.id}/[0-9a-f-]{36}\\.webp$`));
    expect(await myAvatarUrl(stack.gatewayUrl, user.token)).toBe(firstUrl);
    await expectStoredImage(firstUrl, 640, 480);

    const second = await upload(stack.gatewayUrl, form(["file", await testImage("png", 100, 100), "me.png", "image/png"]), user.token);
    expect(second.status).toBe(200);
    await expectStoredImage(second.body.avatarUrl ?? "", 100, 100);
    expect((await fetch(firstUrl)).status).toBe(404);
  });
});
