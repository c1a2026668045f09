// `npm run admin:create -- --email ops@example.com --password '…' [--name 'Ops']`
// Creates an ADMIN account (or grants ADMIN to an existing one) in the users database named by USERS_DATABASE_URL,
// or DATABASE_URL's fixup_users. Without either it starts the embedded PostgreSQL on `npm start`'s data directory (stop `npm start` first).
import { parseArgs } from "node:util";
import { AppError, applyMigrations, EmbeddedPostgresError, embeddedPostgresFromEnv, ensureDatabase, withDatabase } from "@fixup/platform";
import { migrationsDir } from "../app.js";
import { createPrisma } from "../repository/prisma.js";
import { PrismaRefreshTokenRepository } from "../repository/refresh-token-repository.js";
import { PrismaSigningKeyRepository } from "../repository/signing-key-repository.js";
import { PrismaUserRepository } from "../repository/user-repository.js";
import { AuthService } from "../service/auth-service.js";
import { createLoginLimiter } from "../service/login-limiter.js";
import { scryptHasher } from "../service/password-hasher.js";
import { createAccessTokenIssuer } from "../service/token-issuer.js";

export async function createAdmin(databaseUrl: string, input: { email: string; password: string; name: string }) {
  await ensureDatabase(databaseUrl);
  await applyMigrations(databaseUrl, migrationsDir);
  const prisma = createPrisma(databaseUrl, 2);
  try {
    const auth = new AuthService({
      users: new PrismaUserRepository(prisma),
      refreshTokens: new PrismaRefreshTokenRepository(prisma),
      hasher: scryptHasher(),
      tokens: createAccessTokenIssuer(new PrismaSigningKeyRepository(prisma), 900),
      limiter: createLoginLimiter(null),
      refreshTtlSeconds: 3600,
    });
    return await auth.createAdmin(input);
  } finally {
    await prisma.$disconnect();
  }
}

async function main() {
  const { values } = parseArgs({
    options: { email: { type: "string" }, password: { type: "string" }, name: { type: "string", default: "Administrator" } },
  });
  if (!values.email || !values.password) {
    console.error("usage: npm run admin:create -- --email <email> --password <password> [--name <name>]");
    process.exit(2);
  }
  let url = process.env.USERS_DATABASE_URL || (process.env.DATABASE_URL ? withDatabase(process.env.DATABASE_URL, "fixup_users") : undefined);
  let stopEmbedded: (() => Promise<void>) | undefined;
  try {
    if (!url) {
      // The same server and data directory `npm start` uses; its lock refuses while `npm start` runs.
      const pg = await embeddedPostgresFromEnv(process.env, (message) => console.error(message));
      url = withDatabase(pg.url, "fixup_users");
      stopEmbedded = pg.stop;
    }
    const { user, created } = await createAdmin(url, { email: values.email, password: values.password, name: values.name ?? "Administrator" });
    console.log(`${created ? "created" : "promoted"} ${user.email} (${user.id}) with roles ${user.roles.join(", ")}`);
  } catch (error) {
    if (error instanceof AppError) console.error(`${error.code}: ${error.message} ${JSON.stringify(error.fields ?? {})}`);
    else console.error(error instanceof EmbeddedPostgresError ? `admin:create: ${error.message}` : error);
    process.exitCode = 1;
  } finally {
    await stopEmbedded?.();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
