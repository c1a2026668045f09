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
    // One file at a time on a 2-core machine (vitest's default there). With two workers the suite took 566 s instead of
    // ~750 s, but the avatar e2e's refusal cases then failed in 4 of 5 full runs (ECONNRESET on the request after the
    // 6 MiB refusal; never reproduced alone or beside two other e2e files): to be found before files run side by side.
    // One PostgreSQL (DATABASE_URL or embedded) and one Redis for the whole run, found or started before the workers fork.
    globalSetup: ["test/support/global-setup.ts"],
    // Password hashes at scrypt N=2^14 instead of production's 2^17 (refused in production): a hash costs ~75 ms of CPU
    // instead of ~1 s, and the suite registers hundreds of accounts. Child processes (npm start, bench stacks) inherit it.
    env: { LOG_LEVEL: "silent", PASSWORD_SCRYPT_LOG_N: "14" },
  },
});
