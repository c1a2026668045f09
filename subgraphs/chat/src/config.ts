import { z } from "zod";
import { baseEnv, envSchemas, loadConfig } from "@fixup/platform";

export const chatEnv = baseEnv.extend({
  CHAT_PORT: envSchemas.port(4004),
  CHAT_DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }),
  USERS_URL: z.url({ protocol: /^https?$/ }).default("http://127.0.0.1:4001"),
  DB_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(10),
  REQUIRE_VERIFIED_EMAIL: envSchemas.requireVerifiedEmail,
});
export type ChatConfig = z.infer<typeof chatEnv>;
export const loadChatConfig = (env: NodeJS.ProcessEnv = process.env): ChatConfig => loadConfig(chatEnv, env);
