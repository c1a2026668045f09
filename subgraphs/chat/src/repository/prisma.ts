import { PrismaPg } from "@prisma/adapter-pg";
import { attachQueryLog, createDbPool, queryLogOptions } from "@fixup/platform";
import { PrismaClient } from "../generated/prisma/client.js";

export type ChatPrisma = InstanceType<typeof PrismaClient>;
export type ChatTx = Parameters<Parameters<ChatPrisma["$transaction"]>[0]>[0];

export function createPrisma(databaseUrl: string, poolSize = 10, onQuery?: (sql: string) => void): ChatPrisma {
  const adapter = new PrismaPg(createDbPool("chat", databaseUrl, poolSize), { disposeExternalPool: true });
  return attachQueryLog(new PrismaClient({ adapter, ...queryLogOptions(onQuery) }), onQuery);
}

export const isUniqueViolation = (error: unknown): boolean =>
  typeof error === "object" && error !== null && (error as { code?: string }).code === "P2002";
