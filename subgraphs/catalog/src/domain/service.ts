/** A kind of work providers perform and customers order ("Plumbing"). */
export interface Service {
  id: string;
  name: string;
  description: string | null;
  category: string;
  createdAt: Date;
  updatedAt: Date;
}

export interface ServiceDraft {
  name: string;
  description: string | null;
  category: string;
}

export interface PredefinedService extends ServiceDraft {
  /** Fixed, so a predefined service renamed by an admin is recognised (and not re-created) by the next seed. */
  id: string;
}

export const SERVICE_NAME_MAX = 100;
export const CATEGORY_MAX = 50;
export const DESCRIPTION_MAX = 2000;
export const SEARCH_MAX = 100;

/** Names and categories are labels: surrounding whitespace dropped, inner runs of whitespace collapsed. */
export const normalizeLabel = (value: string): string => value.trim().replace(/\s+/g, " ");

/** Same name for the catalog's purposes: "plumbing" duplicates "Plumbing". */
export const sameName = (a: string, b: string): boolean => normalizeLabel(a).toLowerCase() === normalizeLabel(b).toLowerCase();

export interface ServiceFilter {
  /** Exact category, case-insensitive. */
  category?: string;
  /** Case-insensitive substring of the name or the description. */
  search?: string;
}

/** The filter rule the repository implements in SQL (kept here as the reference, and for fakes). */
export function matchesFilter(service: Pick<Service, "name" | "description" | "category">, filter: ServiceFilter): boolean {
  if (filter.category !== undefined && service.category.toLowerCase() !== filter.category.toLowerCase()) return false;
  if (filter.search !== undefined) {
    const needle = filter.search.toLowerCase();
    return service.name.toLowerCase().includes(needle) || (service.description ?? "").toLowerCase().includes(needle);
  }
  return true;
}

/** Catalog order: by name, case-insensitively, ties broken by the exact name. */
export function compareByName(a: Pick<Service, "name">, b: Pick<Service, "name">): number {
  const x = a.name.toLowerCase();
  const y = b.name.toLowerCase();
  if (x !== y) return x < y ? -1 : 1;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** Seeded into every catalog database at start; existing rows (by id or name) are never touched. */
export const PREDEFINED_SERVICES: readonly PredefinedService[] = [
  {
    id: "5be9d4fd-ae1b-4dde-8daf-8e90cc8e526b",
    name: "Plumbing",
    category: "Home repair",
    description: "Leaks, blocked drains, taps, toilets, pipes and water heaters.",
  },
  {
    id: "ea5f5f07-0f75-42e0-b8cb-7c071b040836",
    name: "Electrical",
    category: "Home repair",
    description: "Sockets, switches, lighting, fuse boxes and fault finding by a qualified electrician.",
  },
  {
    id: "8b498e33-eae7-44a1-a9ef-198066ff1569",
    name: "Cleaning",
    category: "Cleaning",
    description: "Regular, deep and end-of-tenancy cleaning of homes and offices.",
  },
  {
    id: "aff330bd-5a35-486c-a53a-e616d4b8985d",
    name: "Moving",
    category: "Moving",
    description: "Packing, loading and transport for house and office moves.",
  },
  {
    id: "f040ae27-7b0f-4aba-8447-6eeae932aa60",
    name: "Painting",
    category: "Home improvement",
    description: "Interior and exterior painting, decorating and wallpapering.",
  },
  {
    id: "a46df205-dfa5-4fd7-9492-3f6e91847c56",
    name: "Handyman",
    category: "Home repair",
    description: "Small jobs around the house: furniture assembly, shelves, doors and fixes.",
  },
  {
    id: "0b64d749-35e8-4c06-8a7a-005af0fc3f0c",
    name: "Gardening",
    category: "Outdoor",
    description: "Lawn mowing, hedge trimming, planting and garden clearance.",
  },
  {
    id: "9c2eeb7e-1b70-459d-84d8-e6e345e8223f",
    name: "Appliance repair",
    category: "Home repair",
    description: "Washing machines, dishwashers, ovens, fridges and other household appliances.",
  },
];
