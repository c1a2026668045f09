// Prisma 7 CLI config: only `prisma generate` runs through it (see scripts/generate.ts).
import { defineConfig } from "prisma/config";

export default defineConfig({
  schema: process.env.PRISMA_SCHEMA ?? "prisma/users/schema.prisma",
});
