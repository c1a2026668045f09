import { Router } from "express";
import { authenticated, bearerViewer, type TokenVerifier } from "@fixup/platform";
import { AVATAR_MAX_BYTES } from "../domain/avatar.js";
import type { AvatarService } from "../service/avatar-service.js";
import { SNIFF_BYTES } from "../service/avatar-type.js";
import { readSingleFile } from "./multipart.js";

/** PUT /users/me/avatar: multipart field `file` (JPEG, PNG or WebP, ≤ 5 MiB) → 200 {avatarUrl}. */
export function avatarRoutes(avatars: AvatarService, verifier: TokenVerifier): Router {
  const router = Router();
  router.put("/users/me/avatar", async (req, res) => {
    // Identity first: an anonymous upload is refused before a byte of it is read.
    const viewer = await authenticated(bearerViewer(req.headers.authorization, verifier));
    const upload = await readSingleFile(req, {
      field: "file",
      maxBytes: AVATAR_MAX_BYTES,
      headBytes: SNIFF_BYTES,
      inspect: (head) => avatars.checkType(head),
    });
    const { avatarUrl } = await avatars.replace(viewer, upload);
    res.json({ avatarUrl });
  });
  return router;
}
