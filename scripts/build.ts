// The production build: one self-contained directory per service under dist/<service>/, run with
// `node dist/<service>/main.js`. Each bundles that service's code with the workspace packages (esbuild); everything
// from node_modules stays external and is listed, with its exact locked versions, in the directory's own
// package.json and package-lock.json, so `npm ci --omit=dev` there installs that service's runtime dependencies only.
// Files read at run time (schema.graphql, migrations, the supergraph) are copied to the same relative places as in
// the source tree, so their `new URL(..., import.meta.url)` paths hold in both.
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { build, type Metafile, type Plugin } from "esbuild";
import { runtimeLockfile } from "./runtime-lockfile.js";

export const SERVICES = ["users", "catalog", "orders", "chat", "gateway"] as const;
export type ServiceName = (typeof SERVICES)[number];

const ROOT = fileURLToPath(new URL("..", import.meta.url));

interface ServiceLayout {
  /** Entry points, relative to the repository root; the first is the service itself. */
  entries: string[];
  /** Files and directories read at run time, relative to the repository root. */
  assets: string[];
  /** Packages loaded in ways a bundler cannot see (createRequire with a computed call). */
  required?: string[];
}

function layoutOf(service: ServiceName): ServiceLayout {
  if (service === "gateway") return { entries: ["gateway/src/main.ts"], assets: ["schema/supergraph.graphql"] };
  const entries = [`subgraphs/${service}/src/main.ts`, "scripts/migrate.ts"];
  if (service === "users") entries.push("subgraphs/users/src/cli/create-admin.ts");
  const assets = [`subgraphs/${service}/src/graphql/schema.graphql`, `prisma/${service}/migrations`];
  // Swagger UI's files are served from the package directory (subgraphs/users/src/rest/docs-routes.ts).
  return { entries, assets, required: service === "users" ? ["swagger-ui-dist"] : [] };
}

/** Bare imports of anything but the workspace packages stay imports: node_modules is installed, not bundled. */
const externalDependencies: Plugin = {
  name: "external-dependencies",
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) =>
      args.path.startsWith("@fixup/") || args.path.startsWith("node:") ? undefined : { path: args.path, external: true },
    );
  },
};

/** `lodash/fp` → `lodash`, `@scope/pkg/x` → `@scope/pkg`. */
export const packageNameOf = (specifier: string): string =>
  specifier.split("/").slice(0, specifier.startsWith("@") ? 2 : 1).join("/");

export function externalPackages(metafile: Metafile): string[] {
  const names = new Set<string>();
  for (const output of Object.values(metafile.outputs)) {
    for (const imported of output.imports) {
      if (imported.external && !imported.path.startsWith("node:") && !isBuiltin(imported.path)) names.add(packageNameOf(imported.path));
    }
  }
  return [...names].sort();
}

const isBuiltin = (specifier: string): boolean => builtinModules.includes(packageNameOf(specifier));

export interface BuildResult {
  service: ServiceName;
  dir: string;
  dependencies: string[];
}

export async function buildService(service: ServiceName, outRoot = join(ROOT, "dist")): Promise<BuildResult> {
  const dir = join(outRoot, service);
  rmSync(dir, { recursive: true, force: true });
  const { entries, assets, required = [] } = layoutOf(service);
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: entries,
    outbase: ".",
    outdir: dir,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    sourcemap: true,
    metafile: true,
    logLevel: "warning",
    plugins: [externalDependencies],
    // Bundled CommonJS-style code (Prisma's generated client) may call require(): give ESM output one.
    banner: { js: 'import { createRequire as __fixupCreateRequire } from "node:module"; const require = __fixupCreateRequire(import.meta.url);' },
  });
  for (const asset of assets) cpSync(join(ROOT, asset), join(dir, asset), { recursive: true });
  const main = relative(dir, join(dir, entries[0]!.replace(/\.ts$/, ".js")));
  writeFileSync(join(dir, "main.js"), `import "./${main}";\n`);
  await build({
    absWorkingDir: ROOT,
    entryPoints: ["scripts/healthcheck.ts"],
    outfile: join(dir, "healthcheck.mjs"),
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    logLevel: "warning",
  });

  const dependencies = [...new Set([...externalPackages(result.metafile), ...required])].sort();
  const lock = JSON.parse(readFileSync(join(ROOT, "package-lock.json"), "utf8")) as Parameters<typeof runtimeLockfile>[0];
  const { manifest, lockfile } = runtimeLockfile(lock, `fixup-${service}`, dependencies);
  writeFileSync(join(dir, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  writeFileSync(join(dir, "package-lock.json"), `${JSON.stringify(lockfile, null, 2)}\n`);
  return { service, dir, dependencies };
}

export async function buildAll(outRoot?: string, services: readonly ServiceName[] = SERVICES): Promise<BuildResult[]> {
  const results: BuildResult[] = [];
  for (const service of services) results.push(await buildService(service, outRoot));
  return results;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const requested = process.argv.slice(2).filter((a) => !a.startsWith("-"));
  const unknown = requested.filter((s) => !(SERVICES as readonly string[]).includes(s));
  if (unknown.length) {
    console.error(`unknown service(s): ${unknown.join(", ")} (one of ${SERVICES.join(", ")})`);
    process.exit(2);
  }
  mkdirSync(join(ROOT, "dist"), { recursive: true });
  for (const r of await buildAll(undefined, requested.length ? (requested as ServiceName[]) : SERVICES)) {
    console.log(`${r.service}: ${relative(ROOT, r.dir)}/main.js (${r.dependencies.length} runtime packages: ${r.dependencies.join(", ")})`);
  }
}
