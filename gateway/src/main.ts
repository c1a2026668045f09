import { createLogger, onShutdown } from "@fixup/platform";
import { startGateway } from "./app.js";
import { loadGatewayConfig } from "./config.js";

const config = loadGatewayConfig();
const logger = createLogger("gateway", config.LOG_LEVEL);
const gateway = await startGateway(config, logger);
onShutdown(logger, [gateway.close]);
