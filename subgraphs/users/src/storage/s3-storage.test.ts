import { createVerify, generateKeyPairSync } from "node:crypto";
import { Readable } from "node:stream";
import { GetObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { S3Storage, s3ObjectBaseUrl, type S3StorageOptions } from "./s3-storage.js";
import { startTestS3, testImage, type TestS3 } from "../../test/storage-support.js";

describe("S3Storage against s3rver (a real S3-compatible server)", () => {
  let s3: TestS3;
  let storage: S3Storage;
  let client: S3Client;

  beforeAll(async () => {
    s3 = await startTestS3();
    const options = { region: "us-east-1", endpoint: s3.endpoint, forcePathStyle: true, credentials: s3.credentials };
    storage = new S3Storage({ ...options, bucket: s3.bucket });
    client = new S3Client(options);
  });
  afterAll(async () => {
    client?.destroy();
    await s3?.stop();
  });

  const get = (key: string) => client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: key }));

  test.each([
    { body: "a Buffer", wrap: (b: Buffer) => b },
    { body: "a Readable", wrap: (b: Buffer) => Readable.from([b.subarray(0, 10), b.subarray(10)]) },
  ])("put($body) stores bytes and content type; the path-style URL serves them", async ({ body, wrap }) => {
    const image = await testImage("webp");
    const key = `avatars/u1/${body.replace(/\W/g, "")}.webp`;
    await storage.put(key, wrap(image), "image/webp");

    const object = await get(key);
    expect(object.ContentType).toBe("image/webp");
    expect(Buffer.from(await object.Body!.transformToByteArray())).toEqual(image);

    const url = storage.publicUrl(key);
    expect(url).toBe(`${s3.endpoint}/${s3.bucket}/${key}`);
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("image/webp");
    expect(Buffer.from(await res.arrayBuffer())).toEqual(image);
  });

  test("delete removes the object; deleting a missing key is not an error", async () => {
    const key = "avatars/u1/gone.webp";
    await storage.put(key, await testImage("webp"), "image/webp");
    await storage.delete(key);
    await expect(get(key)).rejects.toMatchObject({ name: "NoSuchKey" });
    expect((await fetch(storage.publicUrl(key))).status).toBe(404);
    await expect(storage.delete(key)).resolves.toBeUndefined();
  });

  test.each(["../escape.webp", "/abs.webp", "a//b.webp", "a/./b.webp", "a\\b.webp"])("refuses unsafe key %j", async (key) => {
    await expect(storage.put(key, Buffer.from("x"), "image/webp")).rejects.toThrow(/unsafe storage key/);
  });
});

describe("S3Storage URLs", () => {
  const base: S3StorageOptions = { bucket: "media", region: "eu-central-1", forcePathStyle: false };

  test.each([
    { name: "AWS, virtual-hosted", options: base, url: "https://media.s3.eu-central-1.amazonaws.com" },
    { name: "AWS, path-style", options: { ...base, forcePathStyle: true }, url: "https://s3.eu-central-1.amazonaws.com/media" },
    { name: "custom endpoint, path-style", options: { ...base, endpoint: "http://127.0.0.1:9000", forcePathStyle: true }, url: "http://127.0.0.1:9000/media" },
    { name: "custom endpoint, virtual-hosted", options: { ...base, endpoint: "https://s3.example.com/" }, url: "https://media.s3.example.com" },
  ])("without CloudFront: $name", ({ options, url }) => {
    expect(s3ObjectBaseUrl(options)).toBe(url);
    expect(new S3Storage(options).publicUrl("avatars/u/k.webp")).toBe(`${url}/avatars/u/k.webp`);
  });

  test.each([
    { domain: "d111111abcdef8.cloudfront.net", url: "https://d111111abcdef8.cloudfront.net/avatars/u/k.webp" },
    { domain: "https://cdn.example.com/", url: "https://cdn.example.com/avatars/u/k.webp" },
  ])("CloudFront without a key pair: plain URL on $domain", ({ domain, url }) => {
    const storage = new S3Storage({ ...base, cloudFront: { domain, ttlSeconds: 3600 } });
    expect(storage.publicUrl("avatars/u/k.webp")).toBe(url);
  });

  test("CloudFront signed URL follows the canned-policy rules", () => {
    const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const ttlSeconds = 900;
    const storage = new S3Storage({
      ...base,
      cloudFront: {
        domain: "d111111abcdef8.cloudfront.net",
        keyPairId: "K2JCJMDEHXQW5F",
        privateKey: privateKey.export({ type: "pkcs1", format: "pem" }).toString(),
        ttlSeconds,
      },
    });
    const nowSeconds = Date.now() / 1000;
    const url = new URL(storage.publicUrl("avatars/u/k.webp"));

    const resource = `${url.origin}${url.pathname}`;
    expect(resource).toBe("https://d111111abcdef8.cloudfront.net/avatars/u/k.webp");
    expect([...url.searchParams.keys()].sort()).toEqual(["Expires", "Key-Pair-Id", "Signature"]);
    expect(url.searchParams.get("Key-Pair-Id")).toBe("K2JCJMDEHXQW5F");
    const expires = Number(url.searchParams.get("Expires"));
    expect(Number.isInteger(expires)).toBe(true);
    expect(Math.abs(expires - (nowSeconds + ttlSeconds))).toBeLessThanOrEqual(2);

    // CloudFront's URL-safe base64: '+' → '-', '=' → '_', '/' → '~'.
    const signature = Buffer.from(
      url.searchParams.get("Signature")!.replace(/-/g, "+").replace(/_/g, "=").replace(/~/g, "/"),
      "base64",
    );
    const policy = JSON.stringify({ Statement: [{ Resource: resource, Condition: { DateLessThan: { "AWS:EpochTime": expires } } }] });
    expect(createVerify("RSA-SHA1").update(policy).verify(publicKey, signature)).toBe(true);
    // …and the signature covers exactly that policy: another expiry does not verify.
    const tampered = policy.replace(String(expires), String(expires + 1));
    expect(createVerify("RSA-SHA1").update(tampered).verify(publicKey, signature)).toBe(false);
  });
});
