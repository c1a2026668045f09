// `npm run identity:rotate [-- --batch 200]`
// Re-encrypts every provider identity number that is not under the active key (the first of IDENTITY_KEYS) and
// reports counts per key. Idempotent and safe beside running services: each row moves only if it is still under the
// key it was read with. Rotate by putting the new key first in IDENTITY_KEYS (keep the old ones), restarting the
// services, running this, and only then dropping the old keys.
// Database: USERS_DATABASE_URL, or DATABASE_URL's fixup_users; without either the embedded PostgreSQL of `npm start`.
import { parseArgs } from "node:util";
import { applyMigrations, ensureDatabase } from "@fixup/platform";
import { migrationsDir } from "../app.js";
import { DEFAULT_IDENTITY_NUMBER_PATTERN } from "../domain/identity-number.js";
import { PrismaIdentityRepository } from "../repository/identity-repository.js";
import { createPrisma } from "../repository/prisma.js";
import { withUsersDatabase } from "./users-database.js";
import { IdentityCipher } from "../service/identity-cipher.js";
import { loadIdentityKeyring, type IdentityKeySource } from "../service/identity-keys.js";
import { DEFAULT_ROTATION_BATCH, IdentityService, type RotationReport } from "../service/identity-service.js";

export async function rotateIdentityKeys(databaseUrl: string, keys: IdentityKeySource, batchSize = DEFAULT_ROTATION_BATCH): Promise<RotationReport> {
  const { keyring } = await loadIdentityKeyring(keys);
  await ensureDatabase(databaseUrl);
  await applyMigrations(databaseUrl, migrationsDir);
  const prisma = createPrisma(databaseUrl, 2);
  try {
    const service = new IdentityService({
      identities: new PrismaIdentityRepository(prisma),
      cipher: new IdentityCipher(keyring),
      pattern: new RegExp(DEFAULT_IDENTITY_NUMBER_PATTERN),
    });
    return await service.rotate(batchSize);
  } finally {
    await prisma.$disconnect();
  }
}

async function main() {
  const { values } = parseArgs({ options: { batch: { type: "string", default: String(DEFAULT_ROTATION_BATCH) } } });
  const batch = Number(values.batch);
  if (!Number.isInteger(batch) || batch < 1) {
    console.error("usage: npm run identity:rotate [-- --batch <rows per batch>]");
    process.exit(2);
  }
  await withUsersDatabase("identity:rotate", async (url) => {
    const report = await rotateIdentityKeys(
      url,
      {
        NODE_ENV: process.env.NODE_ENV ?? "development",
        IDENTITY_KEYS: process.env.IDENTITY_KEYS || undefined,
        IDENTITY_KEY_FILE: process.env.IDENTITY_KEY_FILE || ".data/identity-keys",
      },
      batch,
    );
    const byKey = Object.entries(report.byKey).map(([k, n]) => `${k}: ${n}`).join(", ") || "none stored";
    console.log(`re-encrypted ${report.reencrypted} (skipped ${report.skipped}) under ${report.activeKeyId}; rows per key: ${byKey}`);
  });
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
