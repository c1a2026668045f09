import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, expect, test } from "vitest";
import { TEST_REDIS_URL, TEST_SERVER_URL } from "@fixup/platform/testing";
import { startProcesses, type RunningProcesses } from "../../scripts/processes.js";
import { buildAll, SERVICES } from "../../scripts/build.js";
import { gqlOk, registerUser } from "../support/federation.js";

// `npm run build` output is what the images run: each service as `node <dir>/<service>/main.js`, no tsx, with the
// files it reads at run time (schemas, migrations, supergraph) beside it. Built inside the repository (.data/) so
// the bundles' external imports resolve from the repository's node_modules, as from the image's own.
const buildDir = fileURLToPath(new URL(`../../.data/build-test-${randomBytes(4).toString("hex")}`, import.meta.url));
let stack: RunningProcesses | undefined;

beforeAll(async () => {
  await buildAll(buildDir);
  stack = await startProcesses({
    databaseUrl: TEST_SERVER_URL,
    redisUrl: TEST_REDIS_URL,
    databasePrefix: `fixup_test_build_${randomBytes(4).toString("hex")}`,
    quiet: true,
    buildDir,
  });
}, 180_000);
afterAll(async () => {
  await stack?.stop();
  rmSync(buildDir, { recursive: true, force: true });
}, 60_000);

test("each service directory holds its bundle, run-time files and its own locked runtime dependencies", () => {
  for (const service of SERVICES) {
    const dir = `${buildDir}/${service}`;
    expect(existsSync(`${dir}/main.js`) && existsSync(`${dir}/healthcheck.mjs`)).toBe(true);
    const manifest = JSON.parse(readFileSync(`${dir}/package.json`, "utf8")) as { dependencies: Record<string, string> };
    const lock = JSON.parse(readFileSync(`${dir}/package-lock.json`, "utf8")) as { packages: Record<string, { dev?: boolean }> };
    expect(Object.keys(manifest.dependencies)).toContain("graphql");
    // Nothing for development in a runtime install.
    for (const dev of ["vitest", "eslint", "tsx", "typescript", "prisma", "playwright-core", "esbuild"]) {
      expect(lock.packages[`node_modules/${dev}`], `${service} ships ${dev}`).toBeUndefined();
    }
    expect(Object.values(lock.packages).some((p) => p.dev)).toBe(false);
  }
  expect(existsSync(`${buildDir}/gateway/schema/supergraph.graphql`)).toBe(true);
  expect(existsSync(`${buildDir}/orders/prisma/orders/migrations`)).toBe(true);
  expect(existsSync(`${buildDir}/users/scripts/migrate.js`)).toBe(true);
});

test("the built gateway and subgraphs serve a query across services", async () => {
  const { gatewayUrl } = stack!;
  const provider = await registerUser(gatewayUrl, ["PROVIDER"], "Built Provider");
  const me = await gqlOk<{ me: { name: string; roles: string[] } }>(gatewayUrl, "{ me { name roles } }", {}, provider.token);
  expect(me.me).toEqual({ name: "Built Provider", roles: ["PROVIDER"] });
  const services = await gqlOk<{ services: unknown[] }>(gatewayUrl, "{ services { id name } }");
  expect(Array.isArray(services.services)).toBe(true);
  // Swagger UI is served from the swagger-ui-dist package, which the bundle loads by path.
  expect((await fetch(`${gatewayUrl}/docs/`)).status).toBe(200);
  const codes = await stack!.stop();
  stack = undefined;
  expect(codes).toEqual({ gateway: 0, users: 0, catalog: 0, orders: 0, chat: 0 });
}, 60_000);
