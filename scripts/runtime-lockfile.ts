// A service's own package.json and package-lock.json, cut from the repository's lockfile: the packages its bundle
// imports and everything they need, at exactly the locked versions, so an image installs nothing it does not run.

interface LockEntry {
  version?: string;
  link?: boolean;
  dev?: boolean;
  devOptional?: boolean;
  optional?: boolean;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  [key: string]: unknown;
}

export interface Lockfile {
  name?: string;
  version?: string;
  lockfileVersion: number;
  requires?: boolean;
  packages: Record<string, LockEntry>;
}

export interface RuntimeInstall {
  manifest: { name: string; version: string; private: true; type: "module"; dependencies: Record<string, string> };
  lockfile: Lockfile;
}

/** Where Node (and npm) finds `name` when required from the package installed at `from` ("" is the root). */
function resolveFrom(packages: Lockfile["packages"], from: string, name: string): string | undefined {
  let base = from;
  for (;;) {
    const candidate = `${base ? `${base}/` : ""}node_modules/${name}`;
    if (packages[candidate]) return candidate;
    if (!base) return undefined;
    const cut = base.lastIndexOf("/node_modules/");
    base = cut === -1 ? "" : base.slice(0, cut);
  }
}

export function runtimeLockfile(lock: Lockfile, name: string, roots: string[]): RuntimeInstall {
  if (lock.lockfileVersion < 2) throw new Error("package-lock.json v2 or v3 expected");
  const declared = lock.packages[""]?.dependencies ?? {};
  const dependencies: Record<string, string> = {};
  for (const root of roots) {
    const range = declared[root];
    if (!range) {
      const dev = lock.packages[""]?.devDependencies as Record<string, string> | undefined;
      throw new Error(`${name} imports ${root}, which package.json does not list in dependencies${dev?.[root] ? " (it is a devDependency)" : ""}`);
    }
    dependencies[root] = range;
  }

  // Path → reached only through optional dependencies (then optional here too, whatever the full tree says).
  const kept = new Map<string, boolean>();
  const visit = (path: string, optional: boolean) => {
    const seen = kept.get(path);
    if (seen === false || (seen === true && optional)) return;
    const entry = lock.packages[path];
    if (!entry) throw new Error(`package-lock.json has no ${path}`);
    kept.set(path, optional);
    const optionalPeer = (dep: string) => entry.peerDependenciesMeta?.[dep]?.optional === true;
    const required = [...Object.keys(entry.dependencies ?? {}), ...Object.keys(entry.peerDependencies ?? {}).filter((d) => !optionalPeer(d))];
    for (const dep of required) {
      const found = resolveFrom(lock.packages, path, dep);
      if (found) visit(found, optional);
      else if (!entry.optionalDependencies?.[dep]) throw new Error(`${path} needs ${dep}, which package-lock.json does not hold`);
    }
    // Platform-specific optional packages (sharp's libvips builds and the like): kept when locked, npm picks.
    for (const dep of Object.keys(entry.optionalDependencies ?? {})) {
      const found = resolveFrom(lock.packages, path, dep);
      if (found) visit(found, true);
    }
  };
  for (const root of roots) {
    const path = resolveFrom(lock.packages, "", root);
    if (!path) throw new Error(`package-lock.json has no node_modules/${root}`);
    visit(path, false);
  }

  const packages: Lockfile["packages"] = { "": { name, version: "0.0.0", dependencies } };
  for (const [path, optional] of [...kept].sort(([a], [b]) => a.localeCompare(b))) {
    const { dev: _dev, devOptional: _devOptional, optional: _optional, ...entry } = lock.packages[path]!;
    packages[path] = optional ? { ...entry, optional: true } : entry;
  }
  return {
    manifest: { name, version: "0.0.0", private: true, type: "module", dependencies },
    lockfile: { name, version: "0.0.0", lockfileVersion: lock.lockfileVersion, requires: true, packages },
  };
}
