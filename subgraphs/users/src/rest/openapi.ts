import { OpenAPIRegistry, OpenApiGeneratorV31 } from "@asteasolutions/zod-to-openapi";
import { z } from "zod";
import { accountRouteDocs } from "./account-routes.docs.js";
import { authRouteDocs } from "./auth-routes.docs.js";
import { avatarRouteDocs } from "./avatar-routes.docs.js";
import { mediaRouteDocs } from "./media-routes.docs.js";
import { pendingRouteDocs } from "./openapi-pending.js";
import { jsonResponse, routeDocs, type RouteDoc } from "./openapi-route.js";
import { platformRouteDocs } from "./platform-routes.docs.js";

export const OPENAPI_PATH = "/openapi.json";
export const DOCS_PATH = "/docs";

const docsRouteDocs = routeDocs(
  {
    method: "get",
    path: OPENAPI_PATH,
    operationId: "openApiDocument",
    tags: ["docs"],
    summary: "This OpenAPI 3.1 document",
    responses: { 200: jsonResponse("The document", z.looseObject({ openapi: z.string(), paths: z.record(z.string(), z.unknown()) })) },
  },
  {
    method: "get",
    path: DOCS_PATH,
    operationId: "swaggerUi",
    tags: ["docs"],
    summary: "Swagger UI for this document",
    description: "Its scripts and styles are served from the swagger-ui-dist package under the same path (no CDN).",
    responses: { 200: { description: "HTML page", content: { "text/html": { schema: z.string() } } } },
  },
);

/**
 * Every documented route. A router file adds its list here once; after that, adding a route means adding its entry
 * to that list (openapi.test.ts fails for any registered route without one).
 */
export const routeDocsList: RouteDoc[] = [
  ...platformRouteDocs,
  ...authRouteDocs,
  ...accountRouteDocs,
  ...avatarRouteDocs,
  ...mediaRouteDocs,
  ...docsRouteDocs,
];

const key = (doc: RouteDoc) => `${doc.method.toUpperCase()} ${doc.path}`;

/** Pending entries (openapi-pending.ts) give way to a real entry for the same route, so adopting one is not a clash. */
export function selectRouteDocs(docs: RouteDoc[] = routeDocsList, pending: RouteDoc[] = pendingRouteDocs): RouteDoc[] {
  const seen = new Set<string>();
  for (const doc of docs) {
    if (seen.has(key(doc))) throw new Error(`${key(doc)} is documented twice`);
    seen.add(key(doc));
  }
  return [...docs, ...pending.filter((doc) => !seen.has(key(doc)))];
}

/** Builds the OpenAPI 3.1 document from the route docs, whose request schemas are the handlers' own zod schemas. */
export function buildOpenApiDocument(docs: RouteDoc[] = selectRouteDocs()) {
  const registry = new OpenAPIRegistry();
  registry.registerComponent("securitySchemes", "bearerAuth", {
    type: "http",
    scheme: "bearer",
    bearerFormat: "JWT",
    description: "The `accessToken` from /auth/login, /auth/register or /auth/refresh.",
  });
  for (const doc of docs) registry.registerPath(doc);
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: "3.1.0",
    info: {
      title: "Fixup REST shims",
      version: "1.0.0",
      description:
        "Authentication, avatars, keys and operations endpoints of the users service. Everything else is GraphQL at " +
        "POST /graphql on the gateway. Errors are `{\"error\":{\"code\",\"message\",\"fields\"?}}` with the codes of the API contract.",
    },
    // Relative, so "Try it out" calls whichever host served the document: the users service or the gateway.
    servers: [{ url: "/", description: "The host serving this document (gateway or users service)" }],
    tags: [
      { name: "auth", description: "Accounts and sessions" },
      { name: "users", description: "The signed-in user" },
      { name: "keys", description: "Token verification keys" },
      { name: "ops", description: "Health and metrics (every service has these)" },
      { name: "docs", description: "This documentation" },
    ],
  });
}

export type OpenApiDocument = ReturnType<typeof buildOpenApiDocument>;
