export { startCatalogService, catalogTypeDefs, migrationsDir, type CatalogServiceOptions } from "./app.js";
export { loadCatalogConfig, catalogEnv, type CatalogConfig } from "./config.js";
