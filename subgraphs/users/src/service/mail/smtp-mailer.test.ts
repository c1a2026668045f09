import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { verificationMail } from "../account-email-messages.js";
import { smtpMailer } from "./smtp-mailer.js";
import { startTestSmtpServer, type TestSmtpServer } from "../../../test/smtp-server.js";

const FROM = "Fixup <no-reply@fixup.local>";
const TOKEN = "q6v0mCq1p3dM5XoKc0x3a0V9e4n8jVQfGmV2rC7uWkA";
const LINK = `http://localhost:4000/auth/verify-email?token=${TOKEN}`;

let smtp: TestSmtpServer;
beforeAll(async () => {
  smtp = await startTestSmtpServer({ user: "fixup", pass: "s3cret/pass" });
});
afterAll(async () => {
  await smtp?.close();
});

describe("smtpMailer against a real SMTP server", () => {
  test("delivers a multipart message the server can parse: from, to, subject, the link in text and HTML", async () => {
    const mailer = smtpMailer({ url: smtp.url, from: FROM });
    try {
      await mailer.send(verificationMail("ann@example.com", "Ann <script>", LINK));
    } finally {
      await mailer.close();
    }
    const { mail, recipients, authUser } = await smtp.next("ann@example.com");
    expect(authUser).toBe("fixup"); // the credentials in SMTP_URL were used
    expect(recipients).toEqual(["ann@example.com"]);
    expect(mail.subject).toBe("Confirm your e-mail address for Fixup");
    expect(mail.from?.value).toEqual([{ name: "Fixup", address: "no-reply@fixup.local" }]);
    expect(mail.to && !Array.isArray(mail.to) ? mail.to.value : null).toEqual([{ name: "", address: "ann@example.com" }]);
    expect(mail.text).toContain(LINK);
    expect(mail.html || "").toContain(`href="${LINK}"`);
    expect(mail.html || "").toContain("Ann &lt;script&gt;");
    expect(new URL(mail.text?.match(/http\S+/)?.[0] ?? "http://x").searchParams.get("token")).toBe(TOKEN);
  });

  test.each([
    { case: "wrong password", url: () => smtp.url.replace("s3cret", "wrong") },
    { case: "no server listening", url: () => "smtp://127.0.0.1:1" },
  ])("$case → send rejects (the caller logs it)", async ({ url }) => {
    const mailer = smtpMailer({ url: url(), from: FROM });
    try {
      await expect(mailer.send(verificationMail("bo@example.com", "Bo", LINK))).rejects.toThrow();
    } finally {
      await mailer.close();
    }
    expect(smtp.received.some((r) => r.recipients.includes("bo@example.com"))).toBe(false);
  });
});
