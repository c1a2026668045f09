import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { prismaCliEnv } from "./prisma-env.js";

const exec = promisify(execFile);

/** The SQL that creates `schema.prisma` from an empty database, as `prisma migrate diff --from-empty` writes it. */
export async function sqlFromSchema(schemaText: string, databaseUrl: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "fixup-schema-"));
  try {
    // Prisma 6 wants the url in the datasource block and no Prisma 7 generator options. Postgres extensions the
    // datasource declares (`extensions = [pg_trgm]`) are kept, with the preview feature Prisma 6 needs for them.
    const extensions = /datasource\s+db\s*\{[^}]*?(extensions\s*=\s*\[[^\]]*\])/.exec(schemaText)?.[1];
    const schema = schemaText
      .replace(/generator\s+\w+\s*\{[^}]*\}/g, "")
      .replace(
        /datasource\s+db\s*\{[^}]*\}/,
        `datasource db {\n  provider = "postgresql"\n  url = env("DATABASE_URL")\n${extensions ? `  ${extensions}\n` : ""}}` +
          (extensions ? '\ngenerator client {\n  provider = "prisma-client-js"\n  previewFeatures = ["postgresqlExtensions"]\n}' : ""),
      );
    const file = join(dir, "schema.prisma");
    await writeFile(file, schema);
    const { stdout } = await exec(
      process.execPath,
      ["node_modules/prisma6/build/index.js", "migrate", "diff", "--config", "prisma/prisma6.config.ts",
        "--from-empty", "--to-schema-datamodel", file, "--script"],
      { env: prismaCliEnv({ DATABASE_URL: databaseUrl }), maxBuffer: 16 * 1024 * 1024 },
    );
    return stdout
      .split("\n")
      .filter((line) => !line.startsWith("Loaded Prisma config") && !line.startsWith('CREATE SCHEMA IF NOT EXISTS "public"'))
      .join("\n")
      .trim();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export const readSchema = (service: string): Promise<string> => readFile(`prisma/${service}/schema.prisma`, "utf8");
