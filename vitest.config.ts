import { createRequire } from "node:module";
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
    // One PostgreSQL (DATABASE_URL or embedded) and one Redis for the whole run, found or started before the workers fork.
    globalSetup: ["test/support/global-setup.ts"],
    env: { LOG_LEVEL: "silent" },
  },
});
