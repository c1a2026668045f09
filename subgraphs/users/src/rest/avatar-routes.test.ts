import { request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import express from "express";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createLogger, notFoundHandler, restErrorHandler, unauthenticated, type TokenVerifier } from "@fixup/platform";
import { AvatarService } from "../service/avatar-service.js";
import { FakeUserRepository } from "../../test/fakes.js";
import { LocalDiskStorage, MEDIA_PATH } from "../storage/local-disk-storage.js";
import { HTML_BYTES, testImage } from "../../test/storage-support.js";
import { avatarRoutes } from "./avatar-routes.js";
import { mediaRoutes } from "./media-routes.js";

const MiB = 1024 * 1024;

describe("PUT /users/me/avatar and GET /media (users service routes, no database)", () => {
  let root: string;
  let server: Server;
  let baseUrl: string;
  let users: FakeUserRepository;
  let userId: string;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), "fixup-avatar-routes-"));
    const mediaDir = join(root, "media");
    await mkdir(mediaDir);
    await writeFile(join(root, "secret.txt"), "outside the media directory");
    users = new FakeUserRepository();
    userId = (await users.create({ email: "a@example.com", name: "A", passwordHash: "h", roles: ["CUSTOMER"] })).id;
    const verifier: TokenVerifier = {
      verify: async (token) => {
        if (token !== "good-token") throw unauthenticated("Invalid access token");
        return { userId, roles: ["CUSTOMER"] };
      },
    };
    const logger = createLogger("test", "silent");
    const storage = new LocalDiskStorage(mediaDir, "http://public.test");
    const app = express();
    app.use(avatarRoutes(new AvatarService({ users, storage, logger }), verifier));
    app.use(MEDIA_PATH, mediaRoutes(mediaDir));
    app.use(notFoundHandler);
    app.use(restErrorHandler(logger));
    server = app.listen(0, "127.0.0.1");
    await new Promise((resolve) => server.once("listening", resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
    await rm(root, { recursive: true, force: true });
  });

  const form = (...parts: Array<[field: string, bytes: Buffer, filename: string, type: string]>) => {
    const body = new FormData();
    for (const [field, bytes, filename, type] of parts) body.append(field, new Blob([new Uint8Array(bytes)], { type }), filename);
    return body;
  };
  const put = (body: BodyInit, headers: Record<string, string> = { authorization: "Bearer good-token" }) =>
    fetch(`${baseUrl}/users/me/avatar`, { method: "PUT", body, headers });

  test("uploads, re-encodes to WebP, and serves the result under /media", async () => {
    const res = await put(form(["file", await testImage("png", 1600, 1200), "me.png", "image/png"]));
    expect(res.status).toBe(200);
    const { avatarUrl } = (await res.json()) as { avatarUrl: string };
    expect(avatarUrl).toMatch(new RegExp(`^http://public\\.test/media/avatars/${userId}/[0-9a-f-]{36}\\.webp$`));

    const served = await fetch(`${baseUrl}${new URL(avatarUrl).pathname}`);
    expect(served.status).toBe(200);
    expect(served.headers.get("content-type")).toBe("image/webp");
    expect(served.headers.get("x-content-type-options")).toBe("nosniff");
    expect(await sharp(Buffer.from(await served.arrayBuffer())).metadata()).toMatchObject({ format: "webp", width: 1024, height: 768 });
  });

  const pngPlus = async (extra: number) => Buffer.concat([await testImage("png"), Buffer.alloc(extra)]);
  const cases: Array<{ name: string; status: number; body: () => Promise<BodyInit>; headers?: Record<string, string> }> = [
    { name: "no Authorization header", status: 401, body: async () => form(["file", await testImage("png"), "a.png", "image/png"]), headers: {} },
    { name: "a bad token", status: 401, body: async () => form(["file", await testImage("png"), "a.png", "image/png"]), headers: { authorization: "Bearer nope" } },
    { name: "a JSON body", status: 415, body: async () => JSON.stringify({ file: "x" }), headers: { authorization: "Bearer good-token", "content-type": "application/json" } },
    { name: "multipart without a boundary", status: 400, body: async () => "x", headers: { authorization: "Bearer good-token", "content-type": "multipart/form-data" } },
    { name: "a truncated multipart body", status: 400, body: async () => "--b\r\ncontent-disposition: form-data; name=\"file\"; filename=\"a.png\"\r\n\r\nabc", headers: { authorization: "Bearer good-token", "content-type": "multipart/form-data; boundary=b" } },
    { name: "no file (a text field only)", status: 400, body: async () => { const f = new FormData(); f.append("file", "not a file"); return f; } },
    { name: "the file in the wrong field", status: 400, body: async () => form(["avatar", await testImage("png"), "a.png", "image/png"]) },
    { name: "two files", status: 400, body: async () => form(["file", await testImage("png"), "a.png", "image/png"], ["file", await testImage("png"), "b.png", "image/png"]) },
    { name: "an empty file", status: 400, body: async () => form(["file", Buffer.alloc(0), "a.png", "image/png"]) },
    { name: "HTML named .png", status: 415, body: async () => form(["file", HTML_BYTES, "a.png", "image/png"]) },
    { name: "1 MiB of HTML named .png (refused from its first bytes)", status: 415, body: async () => form(["file", Buffer.concat([HTML_BYTES, Buffer.alloc(MiB, 0x20)]), "a.png", "image/png"]) },
    { name: "a GIF", status: 415, body: async () => form(["file", await testImage("gif"), "a.gif", "image/gif"]) },
    { name: "6 MiB", status: 413, body: async () => form(["file", await pngPlus(6 * MiB), "a.png", "image/png"]) },
    { name: "5 MiB + 1 byte", status: 413, body: async () => { const png = await testImage("png"); return form(["file", await pngPlus(5 * MiB - png.length + 1), "a.png", "image/png"]); } },
  ];
  test.each(cases)("$name → $status", async ({ body, headers, status }) => {
    const before = await users.findById(userId);
    const res = await put(await body(), headers);
    expect(res.status).toBe(status);
    expect(await res.json()).toMatchObject({ error: { code: status === 401 ? "UNAUTHENTICATED" : "BAD_USER_INPUT", message: expect.any(String) } });
    expect((await users.findById(userId))?.avatarKey).toBe(before?.avatarKey);
  });

  test("exactly 5 MiB is accepted (the cap is inclusive)", async () => {
    const png = await testImage("png");
    const res = await put(form(["file", await pngPlus(5 * MiB - png.length), "a.png", "image/png"]));
    // Trailing bytes after IEND are ignored by decoders; what matters is that the size check let it through.
    expect(res.status).toBe(200);
  });

  /** Raw paths: fetch() would normalise `..` away before sending. */
  const rawGet = (path: string) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpRequest(`${baseUrl}${path}`, { method: "GET", path }, (res) => {
        let body = "";
        res.on("data", (c: Buffer) => (body += c.toString()));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on("error", reject);
      req.end();
    });

  test.each(["/media/../secret.txt", "/media/..%2fsecret.txt", "/media/%2e%2e/secret.txt", "/media/avatars/%2e%2e/%2e%2e/secret.txt", "/media/..%5csecret.txt"])(
    "GET %s never leaves the media directory",
    async (path) => {
      const res = await rawGet(path);
      expect(res.status).toBe(404);
      expect(res.body).not.toContain("outside the media directory");
    },
  );

  test("in-progress (dot-named) files and directories are not served", async () => {
    const dir = join(root, "media", "avatars", userId);
    await writeFile(join(dir, ".x.webp.tmp"), "partial");
    expect((await rawGet(`/media/avatars/${userId}/.x.webp.tmp`)).status).toBe(404);
    expect((await rawGet(`/media/avatars/${userId}/`)).status).toBe(404);
    expect((await readdir(dir)).length).toBeGreaterThan(0);
  });
});
