import type { Express } from "express";

// Express 5 (router 2.x) layers as they are at runtime; @types/express still describes Express 4's.
interface LayerLike {
  rawPath?: unknown;
  route?: { path: unknown; methods: Record<string, boolean | undefined> };
  handle: unknown;
  name: string;
}
interface StackHolder {
  stack: LayerLike[];
}

export interface RegisteredRoute {
  method: string;
  /** OpenAPI style: `/media/{key}` for Express's `/media/:key`. */
  path: string;
}

export interface RegisteredRoutes {
  routes: RegisteredRoute[];
  /** Plain middleware mounted below "/" (static files, a GraphQL handler): paths no route layer describes. */
  mounts: string[];
}

const hasStack = (value: unknown): value is StackHolder =>
  typeof value === "function" && Array.isArray((value as Partial<StackHolder>).stack);

function paths(raw: unknown, where: string): string[] {
  if (typeof raw === "string") return [raw];
  if (Array.isArray(raw)) return raw.flatMap((p) => paths(p, where));
  // A RegExp route cannot be matched against a document's paths; write it as a string path instead.
  throw new Error(`cannot list the route at ${where}: path ${String(raw)} is not a string`);
}

function join(prefix: string, path: string): string {
  const joined = `${prefix.replace(/\/+$/, "")}/${path.replace(/^\/+/, "")}`;
  return joined.length > 1 ? joined.replace(/\/+$/, "") : joined;
}

/** Express path syntax → OpenAPI: `:id` and `*rest` become `{id}` and `{rest}`. Optional groups are refused. */
export function toOpenApiPath(path: string): string {
  if (/[{}?()]/.test(path)) throw new Error(`route ${path}: optional or regex segments cannot be documented as one path`);
  return path.replace(/[:*](\w+)/g, "{$1}");
}

function walk(stack: LayerLike[], prefix: string, out: RegisteredRoutes): void {
  for (const layer of stack) {
    if (layer.route) {
      const methods = Object.keys(layer.route.methods).filter((m) => layer.route?.methods[m]);
      for (const path of paths(layer.route.path, prefix)) {
        // Express 5 expands router.all() into every method; each must then be documented.
        for (const method of methods) out.routes.push({ method: method.toLowerCase(), path: toOpenApiPath(join(prefix, path)) });
      }
      continue;
    }
    for (const mount of paths(layer.rawPath ?? "/", prefix)) {
      const at = join(prefix, mount);
      if (hasStack(layer.handle)) walk(layer.handle.stack, at, out);
      else if (at !== "/") out.mounts.push(at);
    }
  }
}

/** Every (method, path) an Express 5 app registers, nested routers included, for checking against the docs. */
export function registeredRoutes(app: Express): RegisteredRoutes {
  const out: RegisteredRoutes = { routes: [], mounts: [] };
  walk((app.router as unknown as StackHolder).stack, "/", out);
  return out;
}
