import { afterAll, beforeAll } from "vitest";
import { startTestSmtpServer, type TestSmtpServer } from "../../subgraphs/users/test/smtp-server.js";
import { gql, gqlOk, startFederation, type Federation, type FederationOptions, type GraphQLResponse, type TestUser } from "./federation.js";

// Apart from federation.ts because it registers vitest hooks: the benches import federation.ts outside vitest.

export interface UseFederationOptions extends FederationOptions {
  /** Production's mail set-up: mails to a test SMTP server (`smtp`), trading only with a verified e-mail. */
  verifiedEmail?: boolean;
}

/** A test file's federation and GraphQL calls through its gateway, as a TestUser or with a bare access token. */
export interface FederationUnderTest {
  readonly fed: Federation;
  readonly url: string;
  /** Only with `verifiedEmail`. */
  readonly smtp: TestSmtpServer;
  call<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>, as?: TestUser | string): Promise<GraphQLResponse<T>>;
  ok<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>, as?: TestUser | string): Promise<T>;
}

/** Starts a federation before the file's tests and stops it (and its SMTP server) after them. */
export function useFederation({ verifiedEmail = false, ...options }: UseFederationOptions = {}): FederationUnderTest {
  let fed: Federation | undefined;
  let smtp: TestSmtpServer | undefined;
  beforeAll(async () => {
    if (verifiedEmail) {
      smtp = await startTestSmtpServer();
      options.env = { REQUIRE_VERIFIED_EMAIL: "true", SMTP_URL: smtp.url, PUBLIC_BASE_URL: "https://fixup.example", ...options.env };
    }
    fed = await startFederation(options);
  });
  afterAll(async () => {
    await fed?.stop();
    await smtp?.close();
  });
  const started = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`${what} is not started (used outside the file's tests?)`);
    return value;
  };
  const url = () => started(fed, "the federation").gatewayUrl;
  const tokenOf = (as?: TestUser | string) => (typeof as === "string" ? as : as?.token);
  return {
    get fed() {
      return started(fed, "the federation");
    },
    get url() {
      return url();
    },
    get smtp() {
      return started(smtp, "the SMTP server (verifiedEmail)");
    },
    call: <T,>(query: string, variables: Record<string, unknown> = {}, as?: TestUser | string) => gql<T>(url(), query, variables, tokenOf(as)),
    ok: <T,>(query: string, variables: Record<string, unknown> = {}, as?: TestUser | string) => gqlOk<T>(url(), query, variables, tokenOf(as)),
  };
}
