// Test support (not used by the service): a real SMTP server on a free port that parses what it receives.
import type { AddressInfo } from "node:net";
import { simpleParser, type ParsedMail } from "mailparser";
import { SMTPServer } from "smtp-server";

export interface ReceivedMail {
  mail: ParsedMail;
  /** SMTP envelope recipients (RCPT TO), which may differ from the To header. */
  recipients: string[];
  /** The user the client authenticated as, if it did. */
  authUser?: string;
}

export interface TestSmtpServer {
  url: string;
  port: number;
  received: ReceivedMail[];
  /** The next message to `to` (already received or still to come) that an earlier call has not returned. */
  next(to: string, timeoutMs?: number): Promise<ReceivedMail>;
  close(): Promise<void>;
}

/**
 * Plain SMTP on 127.0.0.1 without STARTTLS (a local test needs no TLS); with `auth` set, it requires exactly those
 * credentials like a real relay would.
 */
export async function startTestSmtpServer(auth?: { user: string; pass: string }): Promise<TestSmtpServer> {
  const received: ReceivedMail[] = [];
  const waiters = new Set<() => void>();
  const handedOut = new Set<ReceivedMail>();
  const server = new SMTPServer({
    logger: false,
    disabledCommands: ["STARTTLS"],
    authOptional: !auth,
    allowInsecureAuth: true,
    onAuth(login, _session, callback) {
      if (auth && login.username === auth.user && login.password === auth.pass) return callback(null, { user: login.username });
      callback(new Error("Invalid username or password"));
    },
    onData(stream, session, callback) {
      simpleParser(stream).then(
        (mail) => {
          const authUser = typeof session.user === "string" ? session.user : undefined;
          received.push({ mail, recipients: session.envelope.rcptTo.map((r) => r.address), authUser });
          for (const wake of waiters) wake();
          callback();
        },
        (error: unknown) => callback(error instanceof Error ? error : new Error(String(error))),
      );
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.server.address() as AddressInfo;
  const credentials = auth ? `${encodeURIComponent(auth.user)}:${encodeURIComponent(auth.pass)}@` : "";

  return {
    url: `smtp://${credentials}127.0.0.1:${port}`,
    port,
    received,
    next(to, timeoutMs = 5_000) {
      const find = () => received.find((r) => r.recipients.includes(to) && !handedOut.has(r));
      return new Promise((resolve, reject) => {
        const check = () => {
          const hit = find();
          if (!hit) return;
          cleanup();
          handedOut.add(hit);
          resolve(hit);
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`no new mail to ${to} within ${timeoutMs} ms (received: ${received.flatMap((r) => r.recipients).join(", ") || "none"})`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
