import { mkdtemp, readdir, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { simpleParser } from "mailparser";
import { afterEach, beforeEach, expect, test } from "vitest";
import { createLogger } from "@fixup/platform";
import { passwordResetMail } from "../account-email-messages.js";
import { outboxMailer } from "./outbox-mailer.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "fixup-outbox-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

test("writes a parsable, owner-only .eml into a folder it creates, and logs the path", async () => {
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      logs.push(String(chunk));
      done();
    },
  });
  const outbox = join(dir, "nested", "outbox");
  const mailer = outboxMailer({ dir: outbox, from: "Fixup <no-reply@fixup.local>", logger: createLogger("test", "info", sink) });

  await mailer.send(passwordResetMail("ann@example.com", "Ann", "the-reset-code"));
  await mailer.send(passwordResetMail("bo@example.com", "Bo", "another-code"));

  const files = (await readdir(outbox)).sort();
  expect(files).toHaveLength(2);
  expect(files.every((f) => f.endsWith(".eml"))).toBe(true);
  const path = join(outbox, files.find((f) => logs[0]?.includes(f)) ?? "missing");
  expect(JSON.parse(logs[0] ?? "{}")).toMatchObject({ msg: "mail written to the local outbox", path, subject: "Reset your Fixup password" });
  expect((await stat(path)).mode & 0o777).toBe(0o600);

  const mail = await simpleParser(await readFile(path));
  expect(mail.subject).toBe("Reset your Fixup password");
  expect(mail.from?.value).toEqual([{ name: "Fixup", address: "no-reply@fixup.local" }]);
  expect(mail.to && !Array.isArray(mail.to) ? mail.to.value : null).toEqual([{ name: "", address: "ann@example.com" }]);
  expect(mail.text).toContain("the-reset-code");
  expect(mail.html || "").toContain("<code>the-reset-code</code>");
  expect(mail.messageId).toMatch(/^<.+@.+>$/);
});
