import type { UsersConfig } from "../config.js";
import type { ObjectStorage } from "../service/storage.js";
import { LocalDiskStorage } from "./local-disk-storage.js";
import { S3Storage } from "./s3-storage.js";

export interface AvatarStorage {
  storage: ObjectStorage;
  /** Set for the local-disk driver: the directory the users service must serve under /media. */
  localDir: string | null;
  description: string;
}

type StorageConfig = Pick<
  UsersConfig,
  | "AVATAR_S3_BUCKET"
  | "AWS_REGION"
  | "S3_ENDPOINT"
  | "S3_FORCE_PATH_STYLE"
  | "AWS_ACCESS_KEY_ID"
  | "AWS_SECRET_ACCESS_KEY"
  | "AWS_SESSION_TOKEN"
  | "CLOUDFRONT_DOMAIN"
  | "CLOUDFRONT_KEY_PAIR_ID"
  | "CLOUDFRONT_PRIVATE_KEY"
  | "AVATAR_URL_TTL_SECONDS"
  | "MEDIA_DIR"
  | "PUBLIC_BASE_URL"
>;

/** Half a credential pair is a deployment mistake; failing at start beats failing on the first upload. */
function pair<T>(a: string | undefined, b: string | undefined, names: string, make: (a: string, b: string) => T): T | undefined {
  if (!a && !b) return undefined;
  if (!a || !b) throw new Error(`Set both or neither of ${names}`);
  return make(a, b);
}

/** S3 (+ CloudFront) when a bucket is configured, otherwise files on local disk. */
export function createAvatarStorage(config: StorageConfig): AvatarStorage {
  const bucket = config.AVATAR_S3_BUCKET;
  if (!bucket) {
    const storage = new LocalDiskStorage(config.MEDIA_DIR, config.PUBLIC_BASE_URL);
    return { storage, localDir: storage.directory, description: `local disk at ${storage.directory}` };
  }
  const credentials = pair(config.AWS_ACCESS_KEY_ID, config.AWS_SECRET_ACCESS_KEY, "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY", (accessKeyId, secretAccessKey) => ({
    accessKeyId,
    secretAccessKey,
    ...(config.AWS_SESSION_TOKEN ? { sessionToken: config.AWS_SESSION_TOKEN } : {}),
  }));
  const signer = pair(config.CLOUDFRONT_KEY_PAIR_ID, config.CLOUDFRONT_PRIVATE_KEY, "CLOUDFRONT_KEY_PAIR_ID and CLOUDFRONT_PRIVATE_KEY", (keyPairId, pem) => ({
    keyPairId,
    // .env files and CI secrets often carry a PEM on one line with literal "\n".
    privateKey: pem.replace(/\\n/g, "\n"),
  }));
  if (signer && !config.CLOUDFRONT_DOMAIN) throw new Error("CLOUDFRONT_KEY_PAIR_ID/CLOUDFRONT_PRIVATE_KEY need CLOUDFRONT_DOMAIN");
  const storage = new S3Storage({
    bucket,
    region: config.AWS_REGION,
    endpoint: config.S3_ENDPOINT,
    forcePathStyle: config.S3_FORCE_PATH_STYLE,
    credentials,
    cloudFront: config.CLOUDFRONT_DOMAIN
      ? { domain: config.CLOUDFRONT_DOMAIN, ttlSeconds: config.AVATAR_URL_TTL_SECONDS, ...signer }
      : undefined,
  });
  const via = config.CLOUDFRONT_DOMAIN ? `, URLs via CloudFront ${config.CLOUDFRONT_DOMAIN}${signer ? " (signed)" : ""}` : "";
  return { storage, localDir: null, description: `S3 bucket ${bucket}${via}` };
}
