import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { createLogger } from "@fixup/platform";
import { createMailer } from "./index.js";
import { startTestSmtpServer, type TestSmtpServer } from "../../../test/smtp-server.js";

let smtp: TestSmtpServer;
let dir: string;
beforeAll(async () => {
  smtp = await startTestSmtpServer();
  dir = await mkdtemp(join(tmpdir(), "fixup-mailer-"));
});
afterAll(async () => {
  await smtp?.close();
  await rm(dir, { recursive: true, force: true });
});

const message = (to: string) => ({ to, subject: "Hello", text: "hello", html: "<p>hello</p>" });

test.each([
  { case: "SMTP_URL set → SMTP", smtpUrl: true, to: "via-smtp@example.com", smtpCount: 1, files: 0 },
  { case: "SMTP_URL unset → local outbox", smtpUrl: false, to: "via-outbox@example.com", smtpCount: 0, files: 1 },
])("$case", async ({ smtpUrl, to, smtpCount, files }) => {
  const outbox = join(dir, to);
  const mailer = createMailer(
    { SMTP_URL: smtpUrl ? smtp.url : undefined, MAIL_FROM: "Fixup <no-reply@fixup.local>", MAIL_OUTBOX_DIR: outbox },
    createLogger("test", "silent"),
  );
  await mailer.send(message(to));
  await mailer.close();
  expect(smtp.received.filter((r) => r.recipients.includes(to))).toHaveLength(smtpCount);
  expect(await readdir(outbox).catch(() => [])).toHaveLength(files);
});
