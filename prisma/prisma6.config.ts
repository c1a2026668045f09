// Prisma 6.19's CLI runs the schema engine as WASM through a driver adapter, which works on machines where
// Prisma's native engine binaries cannot be downloaded. Used only to turn schema.prisma into SQL (db-check,
// new migrations); the app itself uses Prisma 7.
import { defineConfig } from "prisma6/config";
import { PrismaPg } from "@prisma/adapter-pg";

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  // adapter-pg 7 satisfies the 6.19 adapter contract at runtime; the CLI only calls connect/executeScript here.
  adapter: async () => new PrismaPg({
    connectionString: process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres",
    idleTimeoutMillis: 100, // lets the CLI exit promptly
  }) as never,
});
