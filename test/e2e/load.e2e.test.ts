import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { startFederation } from "../support/federation.js";
import { marketplaceLoad } from "../support/load.js";
import { startDefault, stopGracefully } from "../support/start-process.js";

// 50 of each write at once through the gateway: no 5xx, no INTERNAL_SERVER_ERROR, and every row readable after.
// Most of the time goes to 100 scrypt hashes (OWASP cost, 128 MiB each) on a shared 2-core machine: generous limits.
const expected = { failures: [], registered: 50, loggedIn: 50, orders: 50, offers: 50 };

describe("under concurrent load", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "fixup-load-"));
  // As root the embedded server runs as `postgres`, which must be able to enter the directory.
  chmodSync(dataDir, 0o755);
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  test("the default `npm start` (embedded Postgres, in-process stand-ins)", async () => {
    const started = await startDefault({ EMBEDDED_DATA_DIR: join(dataDir, "postgres"), MAIL_OUTBOX_DIR: join(dataDir, "mail"), MEDIA_DIR: join(dataDir, "media"), IDENTITY_KEY_FILE: join(dataDir, "identity-keys") });
    try {
      expect(await marketplaceLoad(started.url)).toEqual(expected);
    } finally {
      expect(await stopGracefully(started.child)).toBe(0);
    }
  }, 600_000);

  test("the federation on real Postgres and Redis", async () => {
    const fed = await startFederation();
    try {
      expect(await marketplaceLoad(fed.gatewayUrl)).toEqual(expected);
    } finally {
      await fed.stop();
    }
  }, 600_000);
});
