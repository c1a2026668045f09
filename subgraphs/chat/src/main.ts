import { createLogger, ensureDatabase, onShutdown } from "@fixup/platform";
import { startChatService } from "./app.js";
import { loadChatConfig } from "./config.js";

const config = loadChatConfig();
const logger = createLogger("chat", config.LOG_LEVEL);
await ensureDatabase(config.CHAT_DATABASE_URL);
const server = await startChatService(config, { logger });
onShutdown(logger, [server.close]);
