export { startChatService, chatTypeDefs, migrationsDir, type ChatServiceOptions } from "./app.js";
export { loadChatConfig, chatEnv, type ChatConfig } from "./config.js";
