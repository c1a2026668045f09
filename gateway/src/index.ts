export { startGateway, supergraphPath } from "./app.js";
export { loadGatewayConfig, gatewayEnv, type GatewayConfig } from "./config.js";
