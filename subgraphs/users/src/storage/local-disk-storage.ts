import { randomUUID } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { basename, dirname, join, resolve, sep } from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { assertSafeKey, encodeKeyPath, type ObjectStorage } from "../service/storage.js";

/** The path under which the users service serves this driver's files (see rest/media-routes.ts). */
export const MEDIA_PATH = "/media";

/**
 * Files under a directory, served by the users service itself: the zero-setup default for development and
 * single-host installs. Content-Type is derived from the key's extension when served, so keys must carry the
 * extension of what was stored (the avatar service names them after the encoder's output).
 */
export class LocalDiskStorage implements ObjectStorage {
  readonly directory: string;
  private readonly baseUrl: string;

  constructor(directory: string, publicBaseUrl: string) {
    this.directory = resolve(directory);
    this.baseUrl = publicBaseUrl.replace(/\/+$/, "");
  }

  async put(key: string, body: Buffer | Readable, _contentType: string): Promise<void> {
    const path = this.pathOf(key);
    await mkdir(dirname(path), { recursive: true });
    // Write beside the target and rename: readers never see a half-written file. The dot name is never served.
    const temp = join(dirname(path), `.${basename(path)}.${randomUUID()}.tmp`);
    try {
      if (Buffer.isBuffer(body)) await writeFile(temp, body);
      else await pipeline(body, createWriteStream(temp));
      await rename(temp, path);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    await rm(this.pathOf(key), { force: true });
  }

  publicUrl(key: string): string {
    assertSafeKey(key);
    return `${this.baseUrl}${MEDIA_PATH}/${encodeKeyPath(key)}`;
  }

  /** The file for a key; the prefix check backs up assertSafeKey should either ever be loosened. */
  pathOf(key: string): string {
    assertSafeKey(key);
    const path = resolve(this.directory, key);
    if (!path.startsWith(this.directory + sep)) throw new Error(`storage key escapes the media directory: ${key}`);
    return path;
  }
}
