import { createRequire } from "node:module";
import express, { Router, type RequestHandler } from "express";
import { buildOpenApiDocument, DOCS_PATH, OPENAPI_PATH, type OpenApiDocument } from "./openapi.js";

// Only absolute-path.js: the package's main module would also load the browser bundle into Node for nothing.
const swaggerUiDir = (createRequire(import.meta.url)("swagger-ui-dist/absolute-path.js") as () => string)();

// The files the page below uses (and their source maps for devtools). The package also ships a demo index.html
// and initializer pointing at the petstore, which must not be reachable under /docs.
const ASSETS = new Set(["swagger-ui.css", "swagger-ui.css.map", "swagger-ui-bundle.js", "swagger-ui-bundle.js.map", "favicon-32x32.png", "favicon-16x16.png"]);

// Absolute asset and document URLs, so /docs and /docs/ both work, directly on users and through the gateway.
const page = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Fixup REST API</title>
  <link rel="stylesheet" href="${DOCS_PATH}/swagger-ui.css">
  <link rel="icon" type="image/png" href="${DOCS_PATH}/favicon-32x32.png" sizes="32x32">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="${DOCS_PATH}/swagger-ui-bundle.js"></script>
  <script>
    window.ui = SwaggerUIBundle({
      url: "${OPENAPI_PATH}",
      dom_id: "#swagger-ui",
      deepLinking: true,
      presets: [SwaggerUIBundle.presets.apis],
      layout: "BaseLayout",
    });
  </script>
</body>
</html>
`;

function assets(): RequestHandler {
  const serve = express.static(swaggerUiDir, { index: false, fallthrough: true, maxAge: "1h" });
  return (req, res, next) => (ASSETS.has(req.path.slice(1)) ? serve(req, res, next) : next());
}

/** GET /openapi.json and Swagger UI at GET /docs, all from local files (no CDN). */
export function docsRoutes(document: OpenApiDocument = buildOpenApiDocument()): Router {
  const body = JSON.stringify(document);
  const router = Router();
  router.get(OPENAPI_PATH, (_req, res) => {
    res.set("Cache-Control", "no-cache").type("application/json").send(body);
  });
  router.get(DOCS_PATH, (_req, res) => {
    res.set("Cache-Control", "no-cache").type("html").send(page);
  });
  router.use(DOCS_PATH, assets());
  return router;
}
