import type { Readable } from "node:stream";

/** Where avatar bytes live. Drivers: storage/local-disk-storage.ts (dev default) and storage/s3-storage.ts. */
export interface ObjectStorage {
  /** Stores (or overwrites) an object; resolves once it is durable and readable. */
  put(key: string, body: Buffer | Readable, contentType: string): Promise<void>;
  /** Removes an object; removing a missing object is not an error (deletes are retried and raced). */
  delete(key: string): Promise<void>;
  /** An absolute URL clients can GET the object from (signed where the driver signs). Sync: used per field. */
  publicUrl(key: string): string;
}

const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/**
 * Keys are ours (avatars/<userId>/<uuid>.webp), but drivers still refuse anything that could name a path
 * outside their root or need escaping: relative segments, absolute paths, backslashes, odd characters.
 */
export function assertSafeKey(key: string): void {
  const segments = key.split("/");
  if (key.length > 512 || segments.some((s) => !SEGMENT.test(s) || s.includes(".."))) {
    throw new Error(`unsafe storage key: ${JSON.stringify(key)}`);
  }
}

/** A key as a URL path: each segment escaped, the slashes kept. */
export const encodeKeyPath = (key: string): string => key.split("/").map(encodeURIComponent).join("/");
