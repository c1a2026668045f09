export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
}

/** Where account e-mails go: SMTP in production, a local outbox folder in the embedded default. */
export interface Mailer {
  send(message: MailMessage): Promise<void>;
  close(): Promise<void>;
}
