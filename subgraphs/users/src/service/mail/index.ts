import type { Logger } from "@fixup/platform";
import type { Mailer } from "./mailer.js";
import { outboxMailer } from "./outbox-mailer.js";
import { smtpMailer } from "./smtp-mailer.js";

export type { Mailer, MailMessage } from "./mailer.js";

export interface MailConfig {
  SMTP_URL?: string;
  MAIL_FROM: string;
  MAIL_OUTBOX_DIR: string;
}

/** SMTP when SMTP_URL is set, else the local outbox folder (the embedded default). */
export function createMailer(config: MailConfig, logger: Logger): Mailer {
  if (config.SMTP_URL) return smtpMailer({ url: config.SMTP_URL, from: config.MAIL_FROM });
  logger.info({ dir: config.MAIL_OUTBOX_DIR }, "SMTP_URL not set: account e-mails are written to a local outbox folder");
  return outboxMailer({ dir: config.MAIL_OUTBOX_DIR, from: config.MAIL_FROM, logger });
}
