import { createRequire } from "node:module";
import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

const require = createRequire(import.meta.url);

export default defineConfig({
  // One graphql module for sources and dependencies: vite would load the ESM build for our files while Apollo
  // loads the CJS build, and `instanceof GraphQLError` would fail across the two.
  resolve: { alias: [{ find: /^graphql$/, replacement: require.resolve("graphql") }] },
  test: {
    include: ["packages/*/src/**/*.test.ts", "subgraphs/*/src/**/*.test.ts", "subgraphs/*/test/**/*.test.ts", "gateway/src/**/*.test.ts", "scripts/**/*.test.ts", "test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    // Two files at a time given two cores (vitest's default there is one): the suite took 566 s instead of ~750 s.
    // Capped at two, the only width measured; every e2e file starts its own services and gateway.
    maxWorkers: Math.max(1, Math.min(2, availableParallelism())),
    // One PostgreSQL (DATABASE_URL or embedded) and one Redis for the whole run, found or started before the workers fork.
    globalSetup: ["test/support/global-setup.ts"],
    // Password hashes at scrypt N=2^14 instead of production's 2^17 (refused in production): a hash costs ~75 ms of CPU
    // instead of ~1 s, and the suite registers hundreds of accounts. Child processes (npm start, bench stacks) inherit it.
    env: { LOG_LEVEL: "silent", PASSWORD_SCRYPT_LOG_N: "14" },
  },
});
