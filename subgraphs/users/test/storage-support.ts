// Test helpers for avatar storage (unit tests here and test/e2e/avatar.e2e.test.ts): generated images and a real
// S3-compatible server. Nothing in the service imports this file.
import { mkdtemp, rm } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";

export type TestImageFormat = "png" | "jpeg" | "webp" | "gif";

/** A small, real, solid-colour image in the given format. */
export function testImage(format: TestImageFormat, width = 64, height = 48): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: 200, g: 80, b: 40 } } })
    .toFormat(format)
    .toBuffer();
}

export const HTML_BYTES = Buffer.from("<!doctype html><html><body><script>alert(1)</script></body></html>\n");
export const PDF_BYTES = Buffer.from("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n");

interface S3rverInstance {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
}
type S3rverClass = new (options: {
  port: number;
  address: string;
  silent: boolean;
  directory: string;
  configureBuckets: Array<{ name: string }>;
}) => S3rverInstance;

/** s3rver (npm) ships no types; its constructor is all we use. Its fixed credentials are S3RVER/S3RVER. */
const S3rver = createRequire(import.meta.url)("s3rver") as S3rverClass;

export interface TestS3 {
  endpoint: string;
  bucket: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  stop(): Promise<void>;
}

/** A real S3-compatible HTTP server on an ephemeral port, one bucket, files in a temp directory. */
export async function startTestS3(bucket = "avatars"): Promise<TestS3> {
  const directory = await mkdtemp(join(tmpdir(), "fixup-s3rver-"));
  const server = new S3rver({ port: 0, address: "127.0.0.1", silent: true, directory, configureBuckets: [{ name: bucket }] });
  const { port } = await server.run();
  return {
    endpoint: `http://127.0.0.1:${port}`,
    bucket,
    credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" },
    stop: async () => {
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
