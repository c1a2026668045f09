import { z } from "zod";
import { baseEnv, envSchemas, loadConfig } from "@fixup/platform";

export const usersEnv = baseEnv.extend({
  USERS_PORT: envSchemas.port(4001),
  USERS_DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }),
  ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().min(60).max(86_400).default(900),
  REFRESH_TOKEN_TTL_SECONDS: z.coerce.number().int().min(300).default(30 * 86_400),
  LOGIN_MAX_FAILURES: z.coerce.number().int().min(1).default(5),
  LOGIN_MAX_FAILURES_PER_IP: z.coerce.number().int().min(1).default(50),
  DB_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(10),
});
export type UsersConfig = z.infer<typeof usersEnv>;

export const loadUsersConfig = (env: NodeJS.ProcessEnv = process.env): UsersConfig => loadConfig(usersEnv, env);
