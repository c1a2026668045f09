import express, { Router } from "express";

/**
 * Serves the local-disk storage driver's files. express.static (the `send` package) resolves paths under `root`
 * only: `..` segments, encoded or not, are refused, so no request can read outside the media directory. Keys are
 * random and never reused, so responses are cacheable forever; Content-Type comes from the stored extension.
 */
export function mediaRoutes(directory: string): Router {
  const router = Router();
  router.use(
    express.static(directory, {
      index: false,
      redirect: false,
      dotfiles: "ignore", // in-progress uploads are dot-named temp files
      fallthrough: true, // misses fall through to the JSON 404
      maxAge: "365d",
      immutable: true,
      setHeaders: (res) => {
        // Stored files were re-encoded by us, but never let a browser guess a different type or run anything.
        res.setHeader("X-Content-Type-Options", "nosniff");
        res.setHeader("Content-Security-Policy", "default-src 'none'; sandbox");
      },
    }),
  );
  return router;
}
