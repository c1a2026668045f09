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
    // Vitest's default is one worker per core but one: a single worker on a 2-core CI machine. Test files spend much
    // of their time waiting on Postgres, Redis and child processes, so two files at a time on two cores.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    minWorkers: 1,
    // One PostgreSQL (DATABASE_URL or embedded) and one Redis for the whole run, found or started before the workers fork.
    globalSetup: ["test/support/global-setup.ts"],
    // Password hashes at scrypt N=2^14 instead of production's 2^17 (refused in production): a hash costs ~75 ms of CPU
    // instead of ~1 s, and the suite registers hundreds of accounts. Child processes (npm start, bench stacks) inherit it.
    env: { LOG_LEVEL: "silent", PASSWORD_SCRYPT_LOG_N: "14" },
  },
});
