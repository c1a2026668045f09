// `npm run admin:create -- --email ops@example.com --password '…' [--name 'Ops']`
// Creates an ADMIN account (or grants ADMIN to an existing one) in the users database named by USERS_DATABASE_URL,
// or DATABASE_URL's fixup_users. Without either it starts the embedded PostgreSQL on `npm start`'s data directory (stop `npm start` first).
import { parseArgs } from "node:util";
import { applyMigrations, ensureDatabase } from "@fixup/platform";
import { migrationsDir } from "../app.js";
import { createPrisma } from "../repository/prisma.js";
import { withUsersDatabase } from "./users-database.js";
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
  const { email, password, name = "Administrator" } = values;
  if (!email || !password) {
    console.error("usage: npm run admin:create -- --email <email> --password <password> [--name <name>]");
    process.exit(2);
  }
  await withUsersDatabase("admin:create", async (url) => {
    const { user, created } = await createAdmin(url, { email, password, name });
    console.log(`${created ? "created" : "promoted"} ${user.email} (${user.id}) with roles ${user.roles.join(", ")}`);
  });
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
