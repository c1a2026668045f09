import { Router, type Request } from "express";
import { jsonBody } from "@fixup/platform";
import type { AuthPayload, AuthService } from "../service/auth-service.js";

const view = (p: AuthPayload) => ({
  accessToken: p.accessToken,
  refreshToken: p.refreshToken,
  expiresIn: p.expiresIn,
  user: { id: p.user.id, email: p.user.email, name: p.user.name, roles: p.user.roles },
});

const body = (req: Request): unknown => req.body;

/** REST shims over the same AuthService the GraphQL mutations use. */
export function authRoutes(auth: AuthService): Router {
  const router = Router();
  router.use("/auth", jsonBody());
  router.post("/auth/register", async (req, res) => {
    res.status(201).json(view(await auth.register(body(req))));
  });
  router.post("/auth/login", async (req, res) => {
    res.json(view(await auth.login(body(req), { ip: req.ip })));
  });
  router.post("/auth/refresh", async (req, res) => {
    res.json(view(await auth.refresh(body(req))));
  });
  router.post("/auth/logout", async (req, res) => {
    await auth.logout(body(req));
    res.status(204).end();
  });
  router.get("/.well-known/jwks.json", async (_req, res) => {
    res.set("Cache-Control", "public, max-age=300").json(await auth.jwks());
  });
  return router;
}
