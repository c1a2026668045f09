import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { LocalDiskStorage } from "./local-disk-storage.js";

describe("LocalDiskStorage", () => {
  let dir: string;
  let storage: LocalDiskStorage;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "fixup-media-"));
    storage = new LocalDiskStorage(dir, "http://localhost:4000/");
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  test.each([
    { body: "a Buffer", make: (b: Buffer) => b },
    { body: "a Readable", make: (b: Buffer) => Readable.from([b.subarray(0, 3), b.subarray(3)]) },
  ])("put($body) writes the file atomically (no temp file left)", async ({ make }) => {
    const bytes = Buffer.from("pretend webp bytes");
    await storage.put("avatars/u1/a.webp", make(bytes), "image/webp");
    expect(await readFile(join(dir, "avatars/u1/a.webp"))).toEqual(bytes);
    expect(await readdir(join(dir, "avatars/u1"))).toEqual(["a.webp"]);
  });

  test("delete removes the file; deleting a missing key is fine", async () => {
    await storage.put("avatars/u1/a.webp", Buffer.from("x"), "image/webp");
    await storage.delete("avatars/u1/a.webp");
    expect(await readdir(join(dir, "avatars/u1"))).toEqual([]);
    await expect(storage.delete("avatars/u1/a.webp")).resolves.toBeUndefined();
  });

  test("publicUrl is under PUBLIC_URL/media", () => {
    expect(storage.publicUrl("avatars/u1/a.webp")).toBe("http://localhost:4000/media/avatars/u1/a.webp");
  });

  test.each(["../outside.webp", "avatars/../../outside.webp", "/etc/passwd", "avatars/.hidden", "a\\..\\b", "", "a/"])(
    "refuses key %j",
    async (key) => {
      await expect(storage.put(key, Buffer.from("x"), "image/webp")).rejects.toThrow(/unsafe storage key/);
      await expect(storage.delete(key)).rejects.toThrow(/unsafe storage key/);
      expect(() => storage.publicUrl(key)).toThrow(/unsafe storage key/);
    },
  );
});
