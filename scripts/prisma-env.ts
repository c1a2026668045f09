import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

// Prisma's engine binaries cannot be downloaded here and are not needed (driver adapters + WASM engines), but the
// CLIs look for them at start; pointing at a placeholder file stops the download attempt.
export function prismaCliEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const placeholder = join(tmpdir(), "fixup-prisma-engine-placeholder");
  writeFileSync(placeholder, "");
  return {
    ...process.env,
    PRISMA_SCHEMA_ENGINE_BINARY: placeholder,
    PRISMA_QUERY_ENGINE_LIBRARY: placeholder,
    CHECKPOINT_DISABLE: "1",
    PRISMA_HIDE_UPDATE_MESSAGE: "1",
    ...extra,
  };
}

export const PRISMA_SERVICES = ["users", "catalog", "orders", "chat"] as const;
