import { createLogger, ensureDatabase, onShutdown } from "@fixup/platform";
import { startCatalogService } from "./app.js";
import { loadCatalogConfig } from "./config.js";

const config = loadCatalogConfig();
const logger = createLogger("catalog", config.LOG_LEVEL);
await ensureDatabase(config.CATALOG_DATABASE_URL);
const server = await startCatalogService(config, { logger });
onShutdown(logger, [server.close]);
