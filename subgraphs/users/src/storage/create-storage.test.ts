import { generateKeyPairSync } from "node:crypto";
import { describe, expect, test } from "vitest";
import { loadUsersConfig } from "../config.js";
import { createAvatarStorage } from "./create-storage.js";
import { LocalDiskStorage } from "./local-disk-storage.js";
import { S3Storage } from "./s3-storage.js";

const config = (env: Record<string, string> = {}) =>
  loadUsersConfig({ USERS_DATABASE_URL: "postgresql://postgres@127.0.0.1:5432/x", ...env });

describe("createAvatarStorage", () => {
  test("defaults to local disk under .data/media, URLs on the gateway's public URL", () => {
    const { storage, localDir } = createAvatarStorage(config());
    expect(storage).toBeInstanceOf(LocalDiskStorage);
    expect(localDir).toMatch(/\.data\/media$/);
    expect(storage.publicUrl("avatars/u/k.webp")).toBe("http://localhost:4000/media/avatars/u/k.webp");
  });

  test("a bucket selects S3; S3_FORCE_PATH_STYLE parses as a boolean", () => {
    const { storage, localDir } = createAvatarStorage(
      config({ AVATAR_S3_BUCKET: "b", S3_ENDPOINT: "http://127.0.0.1:9000", S3_FORCE_PATH_STYLE: "true" }),
    );
    expect(storage).toBeInstanceOf(S3Storage);
    expect(localDir).toBeNull();
    expect(storage.publicUrl("avatars/u/k.webp")).toBe("http://127.0.0.1:9000/b/avatars/u/k.webp");
  });

  test.each<{ name: string; env: Record<string, string> }>([
    { name: "a key id without its secret", env: { AWS_ACCESS_KEY_ID: "AKIA" } },
    { name: "a CloudFront key pair id without the key", env: { CLOUDFRONT_DOMAIN: "cdn.example.com", CLOUDFRONT_KEY_PAIR_ID: "K1" } },
    { name: "a CloudFront key pair without a domain", env: { CLOUDFRONT_KEY_PAIR_ID: "K1", CLOUDFRONT_PRIVATE_KEY: "pem" } },
  ])("refuses to start with $name", ({ env }) => {
    expect(() => createAvatarStorage(config({ AVATAR_S3_BUCKET: "b", ...env }))).toThrow(/CLOUDFRONT|AWS_/);
  });

  test("CloudFront settings give signed URLs; a one-line PEM with literal \\n works", () => {
    const pem = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    const { storage } = createAvatarStorage(
      config({
        AVATAR_S3_BUCKET: "b",
        CLOUDFRONT_DOMAIN: "cdn.example.com",
        CLOUDFRONT_KEY_PAIR_ID: "K1",
        CLOUDFRONT_PRIVATE_KEY: pem.trim().replace(/\n/g, "\\n"),
        AVATAR_URL_TTL_SECONDS: "120",
      }),
    );
    const url = new URL(storage.publicUrl("avatars/u/k.webp"));
    expect(`${url.origin}${url.pathname}`).toBe("https://cdn.example.com/avatars/u/k.webp");
    expect(url.searchParams.get("Key-Pair-Id")).toBe("K1");
    expect(Number(url.searchParams.get("Expires"))).toBeCloseTo(Date.now() / 1000 + 120, -1);
  });
});
