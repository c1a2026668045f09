import { Router, type Request, type Response } from "express";
import { AppError, ErrorCode, jsonBody, authenticated, bearerViewer, type TokenVerifier } from "@fixup/platform";
import type { AccountEmailService } from "../service/account-email-service.js";

/** The one answer to a reset request, whether or not the account exists. */
export const PASSWORD_RESET_REQUESTED = {
  message: "If an account uses this e-mail address, a password reset code is on its way.",
} as const;

export const VERIFICATION_RESENT = { message: "A new confirmation link is on its way." } as const;

const body = (req: Request): unknown => req.body;

// The GET is the link in the verification mail, opened in a browser: it answers with a small page. The token is in
// the URL, so the page must not hand it on as a Referer, and nothing may cache it.
function page(res: Response, status: number, title: string, text: string): void {
  res
    .status(status)
    .set({ "Cache-Control": "no-store", "Referrer-Policy": "no-referrer" })
    .type("html")
    .send(`<!doctype html><html lang="en"><meta charset="utf-8"><title>${title}</title><h1>${title}</h1><p>${text}</p></html>`);
}

/**
 * REST shims over the same AccountEmailService the GraphQL mutations use; public (the mailed token is the proof)
 * except the resend, which needs the signed-in user.
 */
export function accountRoutes(accountEmails: AccountEmailService, verifier: TokenVerifier): Router {
  const router = Router();
  router.use("/auth", jsonBody());
  router.post("/auth/verify-email", async (req, res) => {
    await accountEmails.verifyEmail(body(req));
    res.status(204).end();
  });
  router.get("/auth/verify-email", async (req, res) => {
    const wantsPage = req.accepts(["json", "html"]) === "html";
    try {
      await accountEmails.verifyEmail({ token: req.query.token });
    } catch (error) {
      if (!wantsPage || !(error instanceof AppError) || error.code !== ErrorCode.BAD_USER_INPUT) throw error;
      return page(res, 400, "Link not valid", "This link is invalid, already used or expired. If you already confirmed your address, there is nothing more to do.");
    }
    if (wantsPage) return page(res, 200, "E-mail confirmed", "Thank you: your e-mail address is confirmed. You can close this page.");
    res.set("Cache-Control", "no-store").json({ verified: true });
  });
  router.post("/auth/verify-email/resend", async (req, res) => {
    const viewer = await authenticated(bearerViewer(req.headers.authorization, verifier));
    await accountEmails.resendVerification(viewer.userId, { ip: req.ip });
    res.status(202).json(VERIFICATION_RESENT);
  });
  router.post("/auth/password-reset/request", async (req, res) => {
    await accountEmails.requestPasswordReset(body(req), { ip: req.ip });
    res.status(202).json(PASSWORD_RESET_REQUESTED);
  });
  router.post("/auth/password-reset/confirm", async (req, res) => {
    await accountEmails.resetPassword(body(req));
    res.status(204).end();
  });
  return router;
}
