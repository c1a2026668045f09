import { randomBytes } from "node:crypto";
import { createLogger, type RunningServer } from "@fixup/platform";
import { createTestDatabase, TEST_REDIS_URL, type TestDatabase } from "@fixup/platform/testing";
import { loadUsersConfig, migrationsDir, startUsersService } from "@fixup/users";
import { loadGatewayConfig, startGateway } from "@fixup/gateway";

export interface Federation {
  gatewayUrl: string;
  usersUrl: string;
  stop(): Promise<void>;
}

/** Users subgraph + gateway on ephemeral ports, against a fresh database on the real Postgres and real Redis. */
export async function startFederation(env: Record<string, string> = {}): Promise<Federation> {
  const db: TestDatabase = await createTestDatabase("users", migrationsDir);
  const logger = createLogger("test", process.env.LOG_LEVEL ?? "silent");
  const servers: RunningServer[] = [];
  try {
    const users = await startUsersService(
      loadUsersConfig({ NODE_ENV: "test", USERS_PORT: "0", USERS_DATABASE_URL: db.url, REDIS_URL: TEST_REDIS_URL, LOGIN_MAX_FAILURES_PER_IP: "100000", ...env }),
      { logger },
    );
    servers.push(users);
    const gateway = await startGateway(
      loadGatewayConfig({ NODE_ENV: "test", GATEWAY_PORT: "0", USERS_URL: users.url, ...env }),
      logger,
    );
    servers.push(gateway);
    return {
      gatewayUrl: gateway.url,
      usersUrl: users.url,
      async stop() {
        for (const s of servers.reverse()) await s.close();
        await db.drop();
      },
    };
  } catch (error) {
    for (const s of servers.reverse()) await s.close();
    await db.drop();
    throw error;
  }
}

/** A unique email per call: Redis rate-limit keys are shared between test runs. */
export const uniqueEmail = (tag = "user") => `${tag}-${randomBytes(6).toString("hex")}@example.com`;

export interface GraphQLResponse<T = Record<string, unknown>> {
  status: number;
  data?: T | null;
  errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
}

export async function gql<T = Record<string, unknown>>(
  baseUrl: string,
  query: string,
  variables: Record<string, unknown> = {},
  token?: string,
): Promise<GraphQLResponse<T>> {
  const res = await fetch(`${baseUrl}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as Omit<GraphQLResponse<T>, "status">;
  return { status: res.status, ...body };
}

export async function postJson(baseUrl: string, path: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${baseUrl}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? (JSON.parse(text) as Record<string, unknown>) : null };
}
