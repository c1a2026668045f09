export { startCatalogService, catalogTypeDefs, migrationsDir, type CatalogServiceOptions } from "./app.js";
export { PREDEFINED_SERVICES } from "./domain/service.js";
export { loadCatalogConfig, catalogEnv, type CatalogConfig } from "./config.js";
