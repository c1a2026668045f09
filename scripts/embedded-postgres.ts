import { mkdirSync } from "node:fs";
import { PGlite } from "@electric-sql/pglite";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";

export interface EmbeddedPostgres {
  url: string;
  stop(): Promise<void>;
}

/**
 * One PGlite instance per service database, served over the Postgres wire protocol so the services use the
 * same `pg`/Prisma code path as production. Connections are serialized by PGlite: fine for a dev default.
 */
export async function startEmbeddedPostgres(name: string, dataRoot: string, port: number): Promise<EmbeddedPostgres> {
  const dataDir = `${dataRoot}/${name}`;
  mkdirSync(dataDir, { recursive: true });
  const db = await PGlite.create(dataDir);
  const server = new PGLiteSocketServer({ db, port, host: "127.0.0.1", maxConnections: 32 });
  await server.start();
  return {
    // getServerConn() reports the bound port, which matters when `port` is 0.
    url: `postgresql://postgres:postgres@${server.getServerConn()}/postgres?sslmode=disable`,
    async stop() {
      await server.stop();
      await db.close();
    },
  };
}
