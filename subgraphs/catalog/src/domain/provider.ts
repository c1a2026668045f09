import type { Role } from "./generated/roles.js";

/** The users service owns User; catalog only knows its id (a federation entity stub). */
export interface ProviderRef {
  id: string;
}

/** A provider performs a service since `createdAt`. */
export interface ProviderAssignment {
  providerId: string;
  serviceId: string;
  createdAt: Date;
}

/** Only admins curate the catalog. */
export const canManageCatalog = (roles: readonly Role[]): boolean => roles.includes("ADMIN");

/** Only providers choose the services they perform (for themselves). */
export const canOfferServices = (roles: readonly Role[]): boolean => roles.includes("PROVIDER");

/** Integration events catalog publishes (consumed by orders for "which services does provider P offer"). */
export const CatalogEvents = {
  /** A service now exists in the catalog (orders only accepts orders for services it has heard of). */
  ServiceCreated: "ServiceCreated",
  ProviderServiceAssigned: "ProviderServiceAssigned",
  ProviderServiceUnassigned: "ProviderServiceUnassigned",
} as const;
export type CatalogEventType = (typeof CatalogEvents)[keyof typeof CatalogEvents];

export interface ProviderServicePayload {
  [key: string]: string;
  providerId: string;
  serviceId: string;
}

export const providerServicePayload = (providerId: string, serviceId: string): ProviderServicePayload => ({ providerId, serviceId });
