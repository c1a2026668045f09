import { z } from "zod";
import { errorResponses, routeDocs } from "./openapi-route.js";

/** media-routes.ts: static files of the local-disk avatar storage (mounted only when no S3 bucket is configured). */
export const mediaRouteDocs = routeDocs({
  method: "get",
  path: "/media/{key}",
  operationId: "getMedia",
  tags: ["users"],
  summary: "A stored avatar (local-disk storage only)",
  description:
    "Served only when avatars are kept on local disk (the development default); with S3 the `avatarUrl` points at " +
    "the bucket or CloudFront instead. Keys are never reused, so responses are cacheable forever.",
  request: {
    params: z.object({
      key: z.string().meta({ description: "The rest of the path as in `avatarUrl` (contains `/`)", example: "avatars/0b6c0f5e/2f1c.webp" }),
    }),
  },
  responses: {
    200: { description: "The image", content: { "image/webp": { schema: z.string().meta({ format: "binary" }) } } },
    ...errorResponses(404),
  },
});
