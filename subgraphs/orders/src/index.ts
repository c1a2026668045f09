export { startOrdersService, ordersTypeDefs, migrationsDir } from "./app.js";
export { loadOrdersConfig, ordersEnv, type OrdersConfig } from "./config.js";
