import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "../generated/prisma/client.js";

export type OrdersPrisma = InstanceType<typeof PrismaClient>;
export type OrdersTx = Parameters<Parameters<OrdersPrisma["$transaction"]>[0]>[0];

export function createPrisma(databaseUrl: string, poolSize = 10, log?: (sql: string) => void): OrdersPrisma {
  const client = new PrismaClient({
    adapter: new PrismaPg({ connectionString: databaseUrl, max: poolSize }),
    ...(log ? { log: [{ emit: "event" as const, level: "query" as const }] } : {}),
  });
  if (log) (client as unknown as { $on(e: "query", cb: (ev: { query: string }) => void): void }).$on("query", (e) => log(e.query));
  return client;
}

export const isUniqueViolation = (error: unknown): boolean =>
  typeof error === "object" && error !== null && (error as { code?: string }).code === "P2002";
