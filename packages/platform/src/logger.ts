import { pino, type Logger } from "pino";

export type { Logger };

/** Paths pino blanks out wherever they appear in a log line: secrets must never reach log storage. */
export const redactPaths = [
  "req.headers.authorization",
  "req.headers.cookie",
  "headers.authorization",
  "authorization",
  "password",
  "currentPassword",
  "newPassword",
  "refreshToken",
  "token",
  "*.token",
  "accessToken",
  "*.password",
  "*.currentPassword",
  "*.newPassword",
  "*.refreshToken",
  "*.accessToken",
  "*.authorization",
  "variables.*.password",
  "variables.input.password",
  // Providers' personal identification numbers (users' register/updateMe inputs, REST bodies, rows).
  "identityNumber",
  "*.identityNumber",
  "req.body.identityNumber",
  "variables.*.identityNumber",
  "identity_number",
  "*.identity_number",
];

export function createLogger(service: string, level = "info", destination?: pino.DestinationStream): Logger {
  return pino(
    { name: service, level, redact: { paths: redactPaths, censor: "[REDACTED]" }, base: { service } },
    destination,
  );
}
