import { describe, expect, test } from "vitest";
import { AppError } from "@fixup/platform";
import { HTML_BYTES, PDF_BYTES, testImage } from "../../test/storage-support.js";
import { detectAvatarType } from "./avatar-type.js";

describe("detectAvatarType (magic bytes, never names)", () => {
  test.each([
    { format: "jpeg", mime: "image/jpeg" },
    { format: "png", mime: "image/png" },
    { format: "webp", mime: "image/webp" },
  ] as const)("accepts $format", async ({ format, mime }) => {
    expect(await detectAvatarType(await testImage(format))).toBe(mime);
  });

  test.each([
    { name: "HTML (e.g. named avatar.png)", bytes: async () => HTML_BYTES, status: 415 },
    { name: "GIF", bytes: () => testImage("gif"), status: 415 },
    { name: "PDF", bytes: async () => PDF_BYTES, status: 415 },
    { name: "random bytes", bytes: async () => Buffer.from("not an image at all, just text"), status: 415 },
    { name: "a PNG signature alone", bytes: async () => Buffer.from([0x89, 0x50, 0x4e, 0x47]), status: 415 },
    { name: "an empty file", bytes: async () => Buffer.alloc(0), status: 400 },
  ])("refuses $name with $status BAD_USER_INPUT", async ({ bytes, status }) => {
    const error = await detectAvatarType(await bytes()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: "BAD_USER_INPUT", status });
  });
});
