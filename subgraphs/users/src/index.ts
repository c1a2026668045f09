export { startUsersService, usersTypeDefs, migrationsDir } from "./app.js";
export { loadUsersConfig, usersEnv, type UsersConfig } from "./config.js";
