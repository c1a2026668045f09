import { AppError, ConfigError, EmbeddedPostgresError, embeddedPostgresFromEnv, withDatabase } from "@fixup/platform";

/**
 * Runs an operator command against the users database: USERS_DATABASE_URL, else DATABASE_URL's fixup_users, else the
 * embedded PostgreSQL on `npm start`'s data directory (its lock refuses while `npm start` runs). Failures are printed
 * as one line prefixed with the command's name and set exit code 1.
 */
export async function withUsersDatabase(command: string, run: (databaseUrl: string) => Promise<void>): Promise<void> {
  let url = process.env.USERS_DATABASE_URL || (process.env.DATABASE_URL ? withDatabase(process.env.DATABASE_URL, "fixup_users") : undefined);
  let stopEmbedded: (() => Promise<void>) | undefined;
  try {
    if (!url) {
      const pg = await embeddedPostgresFromEnv(process.env, (message) => console.error(message));
      url = withDatabase(pg.url, "fixup_users");
      stopEmbedded = pg.stop;
    }
    await run(url);
  } catch (error) {
    if (error instanceof AppError) console.error(`${error.code}: ${error.message} ${JSON.stringify(error.fields ?? {})}`);
    else if (error instanceof ConfigError) console.error(error.message);
    else console.error(error instanceof EmbeddedPostgresError ? `${command}: ${error.message}` : error);
    process.exitCode = 1;
  } finally {
    await stopEmbedded?.();
  }
}
