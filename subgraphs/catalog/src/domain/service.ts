import { SEEDED } from "./category.js";

/** A kind of work providers perform and customers order ("Plumbing"). */
export interface Service {
  id: string;
  name: string;
  description: string | null;
  categoryId: string;
  /** The category's name (read with the row; the deprecated flat `Service.category`). */
  category: string;
  createdAt: Date;
  updatedAt: Date;
}

export interface ServiceDraft {
  name: string;
  description: string | null;
  categoryId: string;
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
  /** Services directly in a category of this name, case-insensitive (the old flat category). */
  category?: string;
  /** Services in this category or anywhere below it. */
  categoryId?: string;
  /** Typo- and word-order-tolerant search (see search.ts); results are ranked by it. */
  search?: string;
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
  { id: "5be9d4fd-ae1b-4dde-8daf-8e90cc8e526b", name: "Plumbing", categoryId: SEEDED.plumbing, description: "Leaks, blocked drains, taps, toilets, pipes and water heaters." },
  { id: "ea5f5f07-0f75-42e0-b8cb-7c071b040836", name: "Electrical", categoryId: SEEDED.electrical, description: "Sockets, switches, lighting, fuse boxes and fault finding by a qualified electrician." },
  { id: "8b498e33-eae7-44a1-a9ef-198066ff1569", name: "Cleaning", categoryId: SEEDED.homeCleaning, description: "Regular, deep and end-of-tenancy cleaning of homes and offices." },
  { id: "aff330bd-5a35-486c-a53a-e616d4b8985d", name: "Moving", categoryId: SEEDED.removals, description: "Packing, loading and transport for house and office moves." },
  { id: "f040ae27-7b0f-4aba-8447-6eeae932aa60", name: "Painting", categoryId: SEEDED.painting, description: "Interior and exterior painting, decorating and wallpapering." },
  { id: "a46df205-dfa5-4fd7-9492-3f6e91847c56", name: "Handyman", categoryId: SEEDED.handyman, description: "Small jobs around the house: furniture assembly, shelves, doors and fixes." },
  { id: "0b64d749-35e8-4c06-8a7a-005af0fc3f0c", name: "Gardening", categoryId: SEEDED.gardening, description: "Lawn mowing, hedge trimming, planting and garden clearance." },
  { id: "9c2eeb7e-1b70-459d-84d8-e6e345e8223f", name: "Appliance repair", categoryId: SEEDED.appliances, description: "Washing machines, dishwashers, ovens, fridges and other household appliances." },
  { id: "5e7d0000-0000-4000-8000-000000000001", name: "Leak repair", categoryId: SEEDED.plumbing, description: "Finding and fixing leaking pipes, taps, valves and joints." },
  { id: "5e7d0000-0000-4000-8000-000000000002", name: "Pipe installation", categoryId: SEEDED.plumbing, description: "New or replacement water and waste pipework." },
  { id: "5e7d0000-0000-4000-8000-000000000003", name: "Drain unblocking", categoryId: SEEDED.plumbing, description: "Clearing blocked sinks, toilets, showers and outside drains." },
  { id: "5e7d0000-0000-4000-8000-000000000004", name: "Toilet repair", categoryId: SEEDED.plumbing, description: "Cisterns, flush mechanisms, seats and running toilets." },
  { id: "5e7d0000-0000-4000-8000-000000000005", name: "Water heater installation", categoryId: SEEDED.plumbing, description: "Fitting and replacing electric and gas water heaters." },
  { id: "5e7d0000-0000-4000-8000-000000000006", name: "Lighting installation", categoryId: SEEDED.electrical, description: "Ceiling lights, spotlights, outdoor and under-cabinet lighting." },
  { id: "5e7d0000-0000-4000-8000-000000000007", name: "Socket and switch repair", categoryId: SEEDED.electrical, description: "Replacing or adding sockets, switches and dimmers." },
  { id: "5e7d0000-0000-4000-8000-000000000008", name: "Fuse box upgrade", categoryId: SEEDED.electrical, description: "Consumer unit replacement and safety certificates." },
  { id: "5e7d0000-0000-4000-8000-000000000009", name: "EV charger installation", categoryId: SEEDED.electrical, description: "Home charging points for electric vehicles." },
  { id: "5e7d0000-0000-4000-8000-000000000010", name: "Boiler servicing", categoryId: SEEDED.boilers, description: "Annual boiler service and safety check." },
  { id: "5e7d0000-0000-4000-8000-000000000011", name: "Boiler repair", categoryId: SEEDED.boilers, description: "Diagnosing and fixing boiler faults, pressure and ignition problems." },
  { id: "5e7d0000-0000-4000-8000-000000000012", name: "Air conditioning installation", categoryId: SEEDED.airConditioning, description: "Split and portable air conditioning units fitted." },
  { id: "5e7d0000-0000-4000-8000-000000000013", name: "Air conditioning servicing", categoryId: SEEDED.airConditioning, description: "Cleaning, re-gassing and maintenance of air conditioning." },
  { id: "5e7d0000-0000-4000-8000-000000000014", name: "Washing machine repair", categoryId: SEEDED.appliances, description: "Drums, pumps, doors and error codes." },
  { id: "5e7d0000-0000-4000-8000-000000000015", name: "Dishwasher installation", categoryId: SEEDED.appliances, description: "Plumbing in and connecting a new dishwasher." },
  { id: "5e7d0000-0000-4000-8000-000000000016", name: "Wallpapering", categoryId: SEEDED.painting, description: "Hanging and stripping wallpaper." },
  { id: "5e7d0000-0000-4000-8000-000000000017", name: "Plastering", categoryId: SEEDED.painting, description: "Skimming, patching and re-plastering walls and ceilings." },
  { id: "5e7d0000-0000-4000-8000-000000000018", name: "Furniture assembly", categoryId: SEEDED.handyman, description: "Flat-pack furniture built and fixed in place." },
  { id: "5e7d0000-0000-4000-8000-000000000019", name: "TV and shelf mounting", categoryId: SEEDED.handyman, description: "Wall-mounting televisions, shelves, mirrors and pictures." },
  { id: "5e7d0000-0000-4000-8000-000000000020", name: "Door repair", categoryId: SEEDED.handyman, description: "Sticking doors, hinges, handles and draught excluders." },
  { id: "5e7d0000-0000-4000-8000-000000000021", name: "Kitchen fitting", categoryId: SEEDED.kitchens, description: "Installing kitchen units, sinks and appliances." },
  { id: "5e7d0000-0000-4000-8000-000000000022", name: "Worktop installation", categoryId: SEEDED.kitchens, description: "Cutting and fitting laminate, wood and stone worktops." },
  { id: "5e7d0000-0000-4000-8000-000000000023", name: "Bathroom fitting", categoryId: SEEDED.bathrooms, description: "Complete bathroom installation: bath, shower, basin and toilet." },
  { id: "5e7d0000-0000-4000-8000-000000000024", name: "Tiling", categoryId: SEEDED.bathrooms, description: "Wall and floor tiling in bathrooms and kitchens." },
  { id: "5e7d0000-0000-4000-8000-000000000025", name: "Locksmith", categoryId: SEEDED.locks, description: "Lock changes, lockouts and new locks." },
  { id: "5e7d0000-0000-4000-8000-000000000026", name: "Alarm installation", categoryId: SEEDED.locks, description: "Burglar alarms, smart doorbells and security cameras." },
  { id: "5e7d0000-0000-4000-8000-000000000027", name: "Lawn mowing", categoryId: SEEDED.gardening, description: "Regular or one-off lawn cutting and edging." },
  { id: "5e7d0000-0000-4000-8000-000000000028", name: "Hedge trimming", categoryId: SEEDED.gardening, description: "Cutting and shaping hedges and shrubs." },
  { id: "5e7d0000-0000-4000-8000-000000000029", name: "Tree surgery", categoryId: SEEDED.gardening, description: "Pruning, felling and stump removal." },
  { id: "5e7d0000-0000-4000-8000-000000000030", name: "Garden clearance", categoryId: SEEDED.gardening, description: "Clearing overgrown gardens and removing green waste." },
  { id: "5e7d0000-0000-4000-8000-000000000031", name: "Fence installation", categoryId: SEEDED.fencing, description: "New fences, fence panels and gates." },
  { id: "5e7d0000-0000-4000-8000-000000000032", name: "Patio laying", categoryId: SEEDED.fencing, description: "Paving slabs, patios and garden paths." },
  { id: "5e7d0000-0000-4000-8000-000000000033", name: "Decking", categoryId: SEEDED.fencing, description: "Building and repairing wooden and composite decks." },
  { id: "5e7d0000-0000-4000-8000-000000000034", name: "Roof repair", categoryId: SEEDED.roofing, description: "Slipped tiles, flat roofs, flashing and leaks." },
  { id: "5e7d0000-0000-4000-8000-000000000035", name: "Gutter cleaning", categoryId: SEEDED.roofing, description: "Clearing and repairing gutters and downpipes." },
  { id: "5e7d0000-0000-4000-8000-000000000036", name: "Deep cleaning", categoryId: SEEDED.homeCleaning, description: "Top-to-bottom cleaning, inside cupboards and appliances." },
  { id: "5e7d0000-0000-4000-8000-000000000037", name: "End-of-tenancy cleaning", categoryId: SEEDED.homeCleaning, description: "A move-out clean to get the deposit back." },
  { id: "5e7d0000-0000-4000-8000-000000000038", name: "Carpet cleaning", categoryId: SEEDED.homeCleaning, description: "Steam and dry cleaning of carpets and rugs." },
  { id: "5e7d0000-0000-4000-8000-000000000039", name: "Window cleaning", categoryId: SEEDED.homeCleaning, description: "Inside and outside windows, frames and sills." },
  { id: "5e7d0000-0000-4000-8000-000000000040", name: "Office cleaning", categoryId: SEEDED.officeCleaning, description: "Daily or weekly cleaning of offices and shared spaces." },
  { id: "5e7d0000-0000-4000-8000-000000000041", name: "Man and van", categoryId: SEEDED.removals, description: "Small moves and single items with a driver." },
  { id: "5e7d0000-0000-4000-8000-000000000042", name: "Packing service", categoryId: SEEDED.removals, description: "Packing and unpacking, boxes and materials included." },
  { id: "5e7d0000-0000-4000-8000-000000000043", name: "Furniture delivery", categoryId: SEEDED.delivery, description: "Collecting and delivering furniture and large items." },
  { id: "5e7d0000-0000-4000-8000-000000000044", name: "Waste removal", categoryId: SEEDED.delivery, description: "Taking away rubbish, old furniture and appliances." },
];
