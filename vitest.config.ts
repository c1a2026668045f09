import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { availableParallelism } from "node:os";
import { globSync } from "tinyglobby";
import { defineConfig } from "vitest/config";

const require = createRequire(import.meta.url);

const FILES = ["packages/*/src/**/*.test.ts", "subgraphs/*/src/**/*.test.ts", "subgraphs/*/test/**/*.test.ts", "gateway/src/**/*.test.ts", "scripts/**/*.test.ts", "test/**/*.test.ts"];
// A file that replaces modules (vi.mock) needs a module graph of its own; found by content, so a new one is never
// run in the shared graph by mistake.
const ISOLATED = globSync(FILES, { ignore: ["**/node_modules/**"] }).filter((file) => /\bvi\.(do)?mock\(/.test(readFileSync(file, "utf8")));

// One graphql module for sources and dependencies: vite would load the ESM build for our files while Apollo
// loads the CJS build, and `instanceof GraphQLError` would fail across the two.
const resolve = { alias: [{ find: /^graphql$/, replacement: require.resolve("graphql") }] };

const common = {
  testTimeout: 30_000,
  hookTimeout: 60_000,
  pool: "forks" as const,
  // Password hashes at scrypt N=2^14 instead of production's 2^17 (refused in production): a hash costs ~75 ms of CPU
  // instead of ~1 s, and the suite registers hundreds of accounts. Child processes (npm start, bench stacks) inherit it.
  env: { LOG_LEVEL: "silent", PASSWORD_SCRYPT_LOG_N: "14" },
};

export default defineConfig({
  resolve,
  test: {
    ...common,
    // One PostgreSQL (DATABASE_URL or embedded) and one Redis for the whole run, found or started before the workers
    // fork. Here only: a project that inherited it would run it again.
    globalSetup: ["test/support/global-setup.ts"],
    // Two files at a time given two cores (vitest's default there is one). Capped at two, the only width measured;
    // every e2e file starts its own services and gateway.
    maxWorkers: Math.max(1, Math.min(2, availableParallelism())),
    // Test files share one module graph per worker: importing the services' dependencies (Apollo, Prisma, express,
    // ioredis…) afresh for each of ~145 files cost more than running most of them (collect 249 s, suite 593 s; shared:
    // collect 27 s, suite 399 s). Only the ISOLATED files get a fresh graph each.
    // The pool decides from this root setting whether a worker process serves more than one file; each project then
    // says whether its files reset the module graph between them.
    isolate: false,
    projects: [
      { resolve, test: { ...common, name: "shared", include: FILES, exclude: ISOLATED, isolate: false } },
      { resolve, test: { ...common, name: "isolated", include: ISOLATED, isolate: true } },
    ],
  },
});
