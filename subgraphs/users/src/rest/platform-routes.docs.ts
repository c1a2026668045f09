import { z } from "zod";
import { errorResponses, jsonResponse, routeDocs } from "./openapi-route.js";
import { Health, Readiness } from "./openapi-schemas.js";

/** The routes every service gets from @fixup/platform's createBaseApp (packages/platform/src/http.ts). */
export const platformRouteDocs = routeDocs(
  {
    method: "get",
    path: "/healthz",
    operationId: "healthz",
    tags: ["ops"],
    summary: "Liveness",
    description: "Answers while the process runs; checks no dependencies.",
    responses: { 200: jsonResponse("Alive", Health, { status: "ok" }) },
  },
  {
    method: "get",
    path: "/readyz",
    operationId: "readyz",
    tags: ["ops"],
    summary: "Readiness",
    description: "Checks Postgres (and Redis when configured), each within 2 s.",
    responses: {
      200: jsonResponse("Ready", Readiness, { status: "ok", checks: { postgres: "ok", redis: "ok" } }),
      503: jsonResponse("A dependency is failing", Readiness, { status: "unavailable", checks: { postgres: "failing" } }),
    },
  },
  {
    method: "get",
    path: "/metrics",
    operationId: "metrics",
    tags: ["ops"],
    summary: "Prometheus metrics",
    responses: {
      200: {
        description: "Prometheus text exposition format",
        content: { "text/plain": { schema: z.string(), example: 'http_request_duration_seconds_count{method="GET",route="/healthz",status="200"} 3\n' } },
      },
      ...errorResponses(500),
    },
  },
);
