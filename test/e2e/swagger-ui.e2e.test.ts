// Swagger UI through the gateway in a real browser: the page loads from local files, reads /openapi.json, and
// "Try it out" on POST /auth/login reaches the users service through the relative server URL and signs in.
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, expect, test } from "vitest";
import { findChromium } from "../support/chromium.js";
import { postJson, startFederation, uniqueEmail, type Federation } from "../support/federation.js";

const credentials = { email: uniqueEmail("swagger"), password: "correct horse" };

let fed: Federation | undefined;
let browser: Browser | undefined;

beforeAll(async () => {
  // Deliberately never a skip: a skipped browser test proves nothing. findChromium always has one to offer.
  const binary = await findChromium();
  [fed, browser] = await Promise.all([
    startFederation(),
    chromium.launch({ executablePath: binary.executablePath, args: binary.args }).catch((error: unknown) => {
      throw new Error(`Chromium from ${binary.source} (${binary.executablePath}) did not launch: ${(error as Error).message}`);
    }),
  ]);
  const registered = await postJson(fed.gatewayUrl, "/auth/register", { ...credentials, name: "Swagger" });
  if (registered.status !== 201) throw new Error(`register failed: ${JSON.stringify(registered.body)}`);
});
afterAll(async () => {
  await browser?.close();
  await fed?.stop();
});

test("Swagger UI on the gateway: Try it out on POST /auth/login answers 200 with tokens", async () => {
  if (!browser || !fed) throw new Error("setup failed");
  const page = await browser.newPage();
  const external: string[] = [];
  const gatewayOrigin = new URL(fed.gatewayUrl).origin;
  page.on("request", (request) => {
    if (!request.url().startsWith(gatewayOrigin) && !request.url().startsWith("data:")) external.push(request.url());
  });

  await page.goto(`${fed.gatewayUrl}/docs`);
  // Swagger UI's id for an operation is operations-<tag>-<operationId>.
  const login = page.locator("#operations-auth-login");
  await login.locator(".opblock-summary").click({ timeout: 10_000 });
  await login.getByRole("button", { name: "Try it out" }).click();
  await login.locator("textarea.body-param__text").fill(JSON.stringify(credentials));
  await login.getByRole("button", { name: "Execute" }).click();

  const response = login.locator(".live-responses-table .response").first();
  await expect.poll(() => response.locator(".response-col_status").innerText(), { timeout: 10_000 }).toBe("200");
  expect(await response.locator(".response-col_description").innerText()).toContain("accessToken");
  expect(external, "Swagger UI must not load anything from outside the gateway (no CDN)").toEqual([]);
});
