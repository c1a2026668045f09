import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "../generated/prisma/client.js";

export type UsersPrisma = InstanceType<typeof PrismaClient>;

export function createPrisma(databaseUrl: string, poolSize = 10): UsersPrisma {
  return new PrismaClient({ adapter: new PrismaPg({ connectionString: databaseUrl, max: poolSize }) });
}

/** Prisma's known-request error codes we translate; anything else propagates as an internal error. */
export const isUniqueViolation = (error: unknown): boolean =>
  typeof error === "object" && error !== null && (error as { code?: string }).code === "P2002";
