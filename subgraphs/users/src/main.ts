import { createLogger, ensureDatabase, onShutdown } from "@fixup/platform";
import { startUsersService } from "./app.js";
import { loadUsersConfig } from "./config.js";

const config = loadUsersConfig();
const logger = createLogger("users", config.LOG_LEVEL);
await ensureDatabase(config.USERS_DATABASE_URL);
const server = await startUsersService(config, { logger });
onShutdown(logger, [server.close]);
