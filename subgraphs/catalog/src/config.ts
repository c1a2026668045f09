import { z } from "zod";
import { baseEnv, envSchemas, loadConfig } from "@fixup/platform";

export const catalogEnv = baseEnv.extend({
  CATALOG_PORT: envSchemas.port(4002),
  CATALOG_DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }),
  /** The users service: access tokens are verified against `${USERS_URL}/.well-known/jwks.json`. */
  USERS_URL: z.url({ protocol: /^https?$/ }).default("http://127.0.0.1:4001"),
  DB_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(10),
});
export type CatalogConfig = z.infer<typeof catalogEnv>;

export const loadCatalogConfig = (env: NodeJS.ProcessEnv = process.env): CatalogConfig => loadConfig(catalogEnv, env);
