import { DeleteObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/cloudfront-signer";
import type { Readable } from "node:stream";
import { buffer } from "node:stream/consumers";
import { assertSafeKey, encodeKeyPath, type ObjectStorage } from "../service/storage.js";

export interface CloudFrontOptions {
  /** `d111111abcdef8.cloudfront.net` or a full origin such as `https://cdn.example.com`. */
  domain: string;
  /** Both set: URLs are signed with a canned policy (the distribution restricts viewer access). */
  keyPairId?: string;
  privateKey?: string;
  ttlSeconds: number;
}

export interface S3StorageOptions {
  bucket: string;
  region: string;
  /** S3-compatible endpoint (MinIO, s3rver, LocalStack); unset means AWS. */
  endpoint?: string;
  forcePathStyle: boolean;
  /** Unset: the SDK's default chain (env, shared config, instance/task role). */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  cloudFront?: CloudFrontOptions;
  now?: () => number;
}

/** Where objects are readable when no CloudFront distribution fronts the bucket (needs a public-read policy). */
export function s3ObjectBaseUrl({ bucket, region, endpoint, forcePathStyle }: S3StorageOptions): string {
  const origin = new URL(endpoint ?? `https://s3.${region}.amazonaws.com`);
  const path = origin.pathname.replace(/\/+$/, "");
  return forcePathStyle
    ? `${origin.protocol}//${origin.host}${path}/${bucket}`
    : `${origin.protocol}//${bucket}.${origin.host}${path}`;
}

const originOf = (domain: string): string => (/^https?:\/\//.test(domain) ? domain : `https://${domain}`).replace(/\/+$/, "");

export class S3Storage implements ObjectStorage {
  private readonly client: S3Client;
  private readonly objectBase: string;
  private readonly now: () => number;

  constructor(private readonly options: S3StorageOptions) {
    this.client = new S3Client({
      region: options.region,
      endpoint: options.endpoint,
      forcePathStyle: options.forcePathStyle,
      ...(options.credentials ? { credentials: options.credentials } : {}),
    });
    this.objectBase = options.cloudFront ? originOf(options.cloudFront.domain) : s3ObjectBaseUrl(options);
    this.now = options.now ?? Date.now;
  }

  async put(key: string, body: Buffer | Readable, contentType: string): Promise<void> {
    assertSafeKey(key);
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.options.bucket,
        Key: key,
        // PutObject needs a Content-Length; an unknown-length stream would need a multipart upload. Our bodies
        // are re-encoded avatars (well under the 5 MiB upload cap), so collecting a stream first is cheap.
        Body: Buffer.isBuffer(body) ? body : await buffer(body),
        ContentType: contentType,
        // Keys are never reused, so the object can be cached forever (CloudFront and browsers).
        CacheControl: "public, max-age=31536000, immutable",
      }),
    );
  }

  async delete(key: string): Promise<void> {
    assertSafeKey(key);
    await this.client.send(new DeleteObjectCommand({ Bucket: this.options.bucket, Key: key }));
  }

  publicUrl(key: string): string {
    assertSafeKey(key);
    const url = `${this.objectBase}/${encodeKeyPath(key)}`;
    const cf = this.options.cloudFront;
    if (!cf?.keyPairId || !cf.privateKey) return url;
    return getSignedUrl({
      url,
      keyPairId: cf.keyPairId,
      privateKey: cf.privateKey,
      dateLessThan: new Date(this.now() + cf.ttlSeconds * 1000),
    });
  }
}
