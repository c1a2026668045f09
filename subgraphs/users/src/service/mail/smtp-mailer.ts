import nodemailer from "nodemailer";
import type { Mailer } from "./mailer.js";

export interface SmtpMailerOptions {
  /** smtp://user:pass@host:port (STARTTLS when offered) or smtps://… (TLS from the start). */
  url: string;
  from: string;
}

/**
 * Sends through an SMTP server with nodemailer. Timeouts are far below nodemailer's defaults (2 min to connect,
 * 10 min idle): mails are sent in the background, and a hung server must not hold up shutdown for minutes.
 */
export function smtpMailer({ url, from }: SmtpMailerOptions): Mailer {
  const transport = nodemailer.createTransport({ url, connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 });
  return {
    async send(message) {
      await transport.sendMail({ from, ...message });
    },
    async close() {
      transport.close();
    },
  };
}
