import { createLogger, ensureDatabase, onShutdown } from "@fixup/platform";
import { startOrdersService } from "./app.js";
import { loadOrdersConfig } from "./config.js";

const config = loadOrdersConfig();
const logger = createLogger("orders", config.LOG_LEVEL);
await ensureDatabase(config.ORDERS_DATABASE_URL);
const server = await startOrdersService(config, { logger });
onShutdown(logger, [server.close]);
