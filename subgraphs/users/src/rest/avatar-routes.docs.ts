import { z } from "zod";
import { AVATAR_INPUT_TYPES, AVATAR_MAX_BYTES } from "../domain/avatar.js";
import { errorResponses, jsonResponse, routeDocs } from "./openapi-route.js";

// The upload is streamed through busboy, not parsed with zod, so the limits come from the constants the handler
// enforces (domain/avatar.ts) rather than from a copy.
const maxMiB = AVATAR_MAX_BYTES / (1024 * 1024);
const types = AVATAR_INPUT_TYPES.join(", ");

const AvatarUpload = z
  .object({
    file: z.string().meta({
      format: "binary",
      contentMediaType: "application/octet-stream",
      description: `${types}; at most ${maxMiB} MiB. The type is read from the file's bytes, not its name or Content-Type.`,
    }),
  })
  .meta({ id: "AvatarUpload" });
const AvatarResult = z
  .strictObject({ avatarUrl: z.url().meta({ example: "http://localhost:4001/media/avatars/0b6c0f5e/2f1c.webp" }) })
  .meta({ id: "AvatarResult" });

/** One entry per route in avatar-routes.ts. */
export const avatarRouteDocs = routeDocs({
  method: "put",
  path: "/users/me/avatar",
  operationId: "uploadAvatar",
  tags: ["users"],
  summary: "Replace the signed-in user's avatar",
  description: `Re-encoded to WebP (longest side capped) before it is stored; the previous avatar is deleted.`,
  security: [{ bearerAuth: [] }],
  request: {
    body: { required: true, content: { "multipart/form-data": { schema: AvatarUpload, encoding: { file: { contentType: types } } } } },
  },
  responses: { 200: jsonResponse("Stored", AvatarResult), ...errorResponses(400, 401, 409, 413, 415, 500) },
});
