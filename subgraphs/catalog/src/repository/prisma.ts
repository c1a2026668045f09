import { PrismaPg } from "@prisma/adapter-pg";
import { createDbPool } from "@fixup/platform";
import { PrismaClient } from "../generated/prisma/client.js";

export type CatalogPrisma = InstanceType<typeof PrismaClient>;

/** `onQuery` (tests) sees every SQL statement the client sends. */
export function createPrisma(databaseUrl: string, poolSize = 10, onQuery?: (sql: string) => void): CatalogPrisma {
  const client = new PrismaClient({
    adapter: new PrismaPg(createDbPool("catalog", databaseUrl, poolSize), { disposeExternalPool: true }),
    ...(onQuery ? { log: [{ emit: "event" as const, level: "query" as const }] } : {}),
  });
  if (onQuery) (client as unknown as { $on(e: "query", cb: (ev: { query: string }) => void): void }).$on("query", (e) => onQuery(e.query));
  return client;
}

const prismaCode = (error: unknown): string | undefined =>
  typeof error === "object" && error !== null ? (error as { code?: string }).code : undefined;

/** Prisma's known-request error codes we translate; anything else propagates as an internal error. */
export const isUniqueViolation = (error: unknown): boolean => prismaCode(error) === "P2002";
export const isForeignKeyViolation = (error: unknown): boolean => prismaCode(error) === "P2003";
export const isRecordNotFound = (error: unknown): boolean => prismaCode(error) === "P2025";
