import express, { Router } from "express";
import { describe, expect, test } from "vitest";
import { registeredRoutes, toOpenApiPath } from "./registered-routes.js";

describe("registeredRoutes", () => {
  test("lists routes of nested routers with their mount paths, in OpenAPI path syntax", () => {
    const inner = Router();
    inner.get("/:key", (_req, res) => void res.end());
    inner.route("/upload").put((_req, res) => void res.end()).post((_req, res) => void res.end());
    const outer = Router();
    outer.use("/media", inner);
    outer.post("/auth/login", (_req, res) => void res.end());
    const app = express();
    app.get("/healthz", (_req, res) => void res.end());
    app.use(outer);
    app.use("/v1", outer);
    app.use("/static", express.static("."));

    const { routes, mounts } = registeredRoutes(app);
    expect(routes.map((r) => `${r.method} ${r.path}`).sort()).toEqual(
      [
        "get /healthz",
        "get /media/{key}",
        "put /media/upload",
        "post /media/upload",
        "post /auth/login",
        "get /v1/media/{key}",
        "put /v1/media/upload",
        "post /v1/media/upload",
        "post /v1/auth/login",
      ].sort(),
    );
    expect(mounts).toEqual(["/static"]);
  });

  test("router.all() lists every method, so it passes as documented only if every method is", () => {
    const app = express();
    app.all("/anything", (_req, res) => void res.end());
    const methods = registeredRoutes(app).routes.map((r) => r.method);
    expect(methods).toEqual(expect.arrayContaining(["get", "post", "put", "delete", "patch", "unlock"]));
  });

  test("path syntax", () => {
    expect(toOpenApiPath("/users/:id/files/*rest")).toBe("/users/{id}/files/{rest}");
    expect(() => toOpenApiPath("/users{/:id}")).toThrow(/optional/);
  });
});
