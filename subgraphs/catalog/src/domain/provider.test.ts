import { describe, expect, test } from "vitest";
import type { Role } from "./generated/roles.js";
import { canManageCatalog, canOfferServices, providerServicePayload } from "./provider.js";

describe("catalog roles", () => {
  test.each<{ roles: Role[]; manage: boolean; offer: boolean }>([
    { roles: [], manage: false, offer: false },
    { roles: ["CUSTOMER"], manage: false, offer: false },
    { roles: ["PROVIDER"], manage: false, offer: true },
    { roles: ["ADMIN"], manage: true, offer: false },
    { roles: ["CUSTOMER", "PROVIDER"], manage: false, offer: true },
    { roles: ["ADMIN", "PROVIDER"], manage: true, offer: true },
  ])("$roles → manage $manage, offer $offer", ({ roles, manage, offer }) => {
    expect(canManageCatalog(roles)).toBe(manage);
    expect(canOfferServices(roles)).toBe(offer);
  });

  test("event payload carries exactly the provider and the service", () => {
    expect(providerServicePayload("p", "s")).toEqual({ providerId: "p", serviceId: "s" });
  });
});
