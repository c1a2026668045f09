import { expect, test } from "vitest";
import { runtimeLockfile, type Lockfile } from "./runtime-lockfile.js";

const lock: Lockfile = {
  lockfileVersion: 3,
  packages: {
    "": { dependencies: { a: "^1.0.0", c: "^1.0.0" }, devDependencies: { tool: "^1.0.0" } },
    "node_modules/a": { version: "1.0.0", dependencies: { b: "^2.0.0" }, optionalDependencies: { "a-linux": "1.0.0" } },
    "node_modules/a/node_modules/b": { version: "2.0.0", peerDependencies: { p: "*", q: "*" }, peerDependenciesMeta: { q: { optional: true } } },
    "node_modules/a-linux": { version: "1.0.0", optional: true },
    "node_modules/b": { version: "1.0.0", dev: true },
    "node_modules/c": { version: "1.0.0" },
    "node_modules/p": { version: "1.0.0", devOptional: true },
    "node_modules/q": { version: "1.0.0", dev: true },
    "node_modules/tool": { version: "1.0.0", dev: true, dependencies: { b: "^1.0.0" } },
  },
};

test("keeps what the imports reach at their locked paths (nested first, like Node), nothing for development", () => {
  const { manifest, lockfile } = runtimeLockfile(lock, "svc", ["a"]);
  expect(manifest.dependencies).toEqual({ a: "^1.0.0" });
  expect(Object.keys(lockfile.packages)).toEqual(["", "node_modules/a", "node_modules/a-linux", "node_modules/a/node_modules/b", "node_modules/p"]);
  // Required here (a peer of b), though only optional or dev in the whole tree; a-linux only through an optional edge.
  expect(lockfile.packages["node_modules/p"]).toEqual({ version: "1.0.0" });
  expect(lockfile.packages["node_modules/a-linux"]).toEqual({ version: "1.0.0", optional: true });
  expect(Object.values(lockfile.packages).some((p) => p.dev)).toBe(false);
});

test("a production import of a devDependency, or of an undeclared package, fails the build", () => {
  expect(() => runtimeLockfile(lock, "svc", ["tool"])).toThrow(/tool.*devDependency/);
  expect(() => runtimeLockfile(lock, "svc", ["b"])).toThrow(/does not list/);
});
