import { z } from "zod";
import { baseEnv, envSchemas, loadConfig } from "@fixup/platform";

const url = z.url({ protocol: /^https?$/ });

export const gatewayEnv = baseEnv.extend({
  GATEWAY_PORT: envSchemas.port(4000),
  GATEWAY_HOST: z.string().default("127.0.0.1"),
  USERS_URL: url.default("http://127.0.0.1:4001"),
  CATALOG_URL: url.default("http://127.0.0.1:4002"),
  ORDERS_URL: url.default("http://127.0.0.1:4003"),
  CHAT_URL: url.default("http://127.0.0.1:4004"),
  MAX_QUERY_DEPTH: z.coerce.number().int().min(2).max(50).default(10),
  MAX_QUERY_ALIASES: z.coerce.number().int().min(0).max(100).default(15),
  MAX_QUERY_TOKENS: z.coerce.number().int().min(100).default(2_000),
});
export type GatewayConfig = z.infer<typeof gatewayEnv>;
export const loadGatewayConfig = (env: NodeJS.ProcessEnv = process.env): GatewayConfig => loadConfig(gatewayEnv, env);
