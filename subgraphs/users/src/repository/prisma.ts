import { PrismaPg } from "@prisma/adapter-pg";
import { attachQueryLog, createDbPool, queryLogOptions } from "@fixup/platform";
import { PrismaClient } from "../generated/prisma/client.js";

export type UsersPrisma = InstanceType<typeof PrismaClient>;

export function createPrisma(databaseUrl: string, poolSize = 10, onQuery?: (sql: string) => void): UsersPrisma {
  const adapter = new PrismaPg(createDbPool("users", databaseUrl, poolSize), { disposeExternalPool: true });
  return attachQueryLog(new PrismaClient({ adapter, ...queryLogOptions(onQuery) }), onQuery);
}

/** Prisma's known-request error codes we translate; anything else propagates as an internal error. */
export const isUniqueViolation = (error: unknown): boolean =>
  typeof error === "object" && error !== null && (error as { code?: string }).code === "P2002";
