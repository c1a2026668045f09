import { outboxRow } from "@fixup/platform";
import sharp from "sharp";
import { beforeEach, describe, expect, test } from "vitest";
import { createLogger, type Viewer } from "@fixup/platform";
import type { User } from "../domain/user.js";
import { HTML_BYTES, testImage } from "../../test/storage-support.js";
import { AvatarService } from "./avatar-service.js";
import type { ObjectStorage } from "./storage.js";
import { FakeUserRepository } from "../../test/fakes.js";

/** Storage in memory that writes every call into a shared log, so tests can assert the order of effects. */
class FakeStorage implements ObjectStorage {
  readonly objects = new Map<string, { body: Buffer; contentType: string }>();
  failPut = false;
  failDelete = false;
  constructor(private readonly log: string[]) {}
  async put(key: string, body: Buffer, contentType: string): Promise<void> {
    this.log.push(`put ${key}`);
    if (this.failPut) throw new Error("storage down");
    this.objects.set(key, { body, contentType });
  }
  async delete(key: string): Promise<void> {
    this.log.push(`delete ${key}`);
    if (this.failDelete) throw new Error("storage down");
    this.objects.delete(key);
  }
  publicUrl(key: string): string {
    return `https://cdn.test/${key}`;
  }
}

class RecordingUsers extends FakeUserRepository {
  failUpdate = false;
  /** The next read returns the user as it was before another upload committed (a lost race). */
  staleRead = false;
  constructor(private readonly log: string[]) {
    super();
  }
  override async findById(id: string): Promise<User | null> {
    const user = await super.findById(id);
    if (!this.staleRead || !user) return user;
    this.staleRead = false;
    return { ...user, avatarKey: null };
  }
  override async swapAvatarKey(id: string, expected: string | null, next: string): Promise<boolean> {
    this.log.push(`update ${next}`);
    if (this.failUpdate) throw new Error("database down");
    return super.swapAvatarKey(id, expected, next);
  }
}

describe("AvatarService.replace", () => {
  let log: string[];
  let storage: FakeStorage;
  let users: RecordingUsers;
  let avatars: AvatarService;
  let viewer: Viewer;
  let ids: number;

  beforeEach(async () => {
    log = [];
    storage = new FakeStorage(log);
    users = new RecordingUsers(log);
    ids = 0;
    avatars = new AvatarService({ users, storage, logger: createLogger("test", "silent"), newId: () => `id-${++ids}` });
    const user = await users.create({ email: "a@example.com", name: "A", passwordHash: "h", roles: ["CUSTOMER"] });
    viewer = { userId: user.id, roles: user.roles };
  });

  const avatarKeyOf = async () => (await users.findById(viewer.userId))?.avatarKey;

  test("stores a re-encoded WebP under a fresh key, commits it, and returns its URL", async () => {
    const result = await avatars.replace(viewer, await testImage("png", 2000, 1000));
    expect(result).toEqual({ avatarKey: `avatars/${viewer.userId}/id-1.webp`, avatarUrl: `https://cdn.test/avatars/${viewer.userId}/id-1.webp` });
    expect(await avatarKeyOf()).toBe(result.avatarKey);
    const stored = storage.objects.get(result.avatarKey);
    expect(stored?.contentType).toBe("image/webp");
    const meta = await sharp(stored?.body).metadata();
    expect(meta).toMatchObject({ format: "webp", width: 1024, height: 512 });
  });

  test("strips metadata (EXIF) while re-encoding", async () => {
    const withExif = await sharp(await testImage("jpeg"))
      .withExif({ IFD0: { Copyright: "secret location" } })
      .jpeg()
      .toBuffer();
    expect((await sharp(withExif).metadata()).exif).toBeDefined();
    const { avatarKey } = await avatars.replace(viewer, withExif);
    const meta = await sharp(storage.objects.get(avatarKey)?.body).metadata();
    expect(meta.exif).toBeUndefined();
  });

  test("deletes the old object only after the database points at the new one", async () => {
    const first = await avatars.replace(viewer, await testImage("png"));
    log.length = 0;
    const second = await avatars.replace(viewer, await testImage("jpeg"));
    expect(log).toEqual([`put ${second.avatarKey}`, `update ${second.avatarKey}`, `delete ${first.avatarKey}`]);
    expect([...storage.objects.keys()]).toEqual([second.avatarKey]);
  });

  test("a first upload deletes nothing", async () => {
    const { avatarKey } = await avatars.replace(viewer, await testImage("webp"));
    expect(log).toEqual([`put ${avatarKey}`, `update ${avatarKey}`]);
  });

  test("database failure: the new object is deleted, the old one kept, the error surfaces", async () => {
    const first = await avatars.replace(viewer, await testImage("png"));
    users.failUpdate = true;
    log.length = 0;
    await expect(avatars.replace(viewer, await testImage("png"))).rejects.toThrow("database down");
    const newKey = `avatars/${viewer.userId}/id-2.webp`;
    expect(log).toEqual([`put ${newKey}`, `update ${newKey}`, `delete ${newKey}`]);
    expect([...storage.objects.keys()]).toEqual([first.avatarKey]);
    expect(await avatarKeyOf()).toBe(first.avatarKey);
  });

  test("losing a race to a concurrent upload: CONFLICT, this upload's object deleted, the winner's kept", async () => {
    const winner = await avatars.replace(viewer, await testImage("png"));
    users.staleRead = true; // this upload read the user before the winner committed
    log.length = 0;
    await expect(avatars.replace(viewer, await testImage("png"))).rejects.toMatchObject({ code: "CONFLICT" });
    const loser = `avatars/${viewer.userId}/id-2.webp`;
    expect(log).toEqual([`put ${loser}`, `update ${loser}`, `delete ${loser}`]);
    expect(await avatarKeyOf()).toBe(winner.avatarKey);
    expect([...storage.objects.keys()]).toEqual([winner.avatarKey]);
  });

  test("storage failure on put: nothing is committed, the old avatar stays", async () => {
    const first = await avatars.replace(viewer, await testImage("png"));
    storage.failPut = true;
    await expect(avatars.replace(viewer, await testImage("png"))).rejects.toThrow("storage down");
    expect(await avatarKeyOf()).toBe(first.avatarKey);
    expect([...storage.objects.keys()]).toEqual([first.avatarKey]);
  });

  test("failing to delete the old object does not fail the upload (it is only orphaned)", async () => {
    const first = await avatars.replace(viewer, await testImage("png"));
    storage.failDelete = true;
    const second = await avatars.replace(viewer, await testImage("png"));
    expect(await avatarKeyOf()).toBe(second.avatarKey);
    expect(storage.objects.has(first.avatarKey)).toBe(true);
  });

  test.each([
    { name: "HTML", bytes: async () => HTML_BYTES, status: 415 },
    { name: "GIF", bytes: () => testImage("gif"), status: 415 },
    { name: "a truncated PNG", bytes: async () => (await testImage("png", 300, 300)).subarray(0, 60), status: 400 },
  ])("refuses $name ($status) without touching storage or the database", async ({ bytes, status }) => {
    await expect(avatars.replace(viewer, await bytes())).rejects.toMatchObject({ code: "BAD_USER_INPUT", status });
    expect(log).toEqual([]);
  });

  test("an account deleted meanwhile is UNAUTHENTICATED", async () => {
    await users.delete(viewer.userId, outboxRow("UserDeleted", { userId: viewer.userId }));
    await expect(avatars.replace(viewer, await testImage("png"))).rejects.toMatchObject({ code: "UNAUTHENTICATED" });
    expect(log).toEqual([]);
  });
});
