import { randomBytes } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import nodemailer from "nodemailer";
import type { Logger } from "@fixup/platform";
import type { Mailer } from "./mailer.js";

export interface OutboxMailerOptions {
  dir: string;
  from: string;
  logger: Logger;
}

/**
 * The embedded default when no SMTP server is configured: each message becomes an .eml file (the same MIME text
 * SMTP would carry, built by nodemailer) that any mail client opens, and its path is logged so a developer can
 * follow the links.
 */
export function outboxMailer({ dir, from, logger }: OutboxMailerOptions): Mailer {
  const composer = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: "windows" });
  return {
    async send(message) {
      const info = await composer.sendMail({ from, ...message });
      if (!Buffer.isBuffer(info.message)) throw new Error("stream transport did not return a buffer");
      await mkdir(dir, { recursive: true });
      const stamp = new Date().toISOString().replace(/[:.]/g, "-");
      const path = resolve(join(dir, `${stamp}-${randomBytes(4).toString("hex")}.eml`));
      // Owner-only: the file holds a live account token.
      await writeFile(path, info.message, { mode: 0o600 });
      logger.info({ path, subject: message.subject }, "mail written to the local outbox");
    },
    async close() {},
  };
}
