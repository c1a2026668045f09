import { Prisma } from "../generated/prisma/client.js";
import type { Cursor, PageRequest } from "@fixup/platform";
import type { GeoPoint } from "../domain/location.js";
import type { Order } from "../domain/order.js";
import type { ServiceArea } from "../domain/service-area.js";
import { feedSql } from "./feed-conditions.js";
import { toOrder } from "./mappers.js";
import type { Page } from "./order-repository.js";
import type { OrdersPrisma } from "./prisma.js";

/** Position in a distance-ordered feed: (distanceKm, id) ascending. */
export interface DistanceCursor {
  distanceKm: number;
  id: string;
}

export interface NearbyPage {
  take: number;
  after: DistanceCursor | null;
}

export interface NearbyOrder {
  order: Order;
  distanceKm: number;
}

/**
 * Where providers work and the place-aware provider feed. Every feed method applies the domain's feed criteria
 * (PROVIDERS_FEED, via feedSql) plus its place filter; orders without a location are never in a place-filtered feed.
 */
export interface FeedRepository {
  /** Replaces the provider's areas with `areas` (in that order) and returns them as stored. */
  replaceServiceAreas(providerId: string, areas: readonly ServiceArea[]): Promise<ServiceArea[]>;
  /** Each provider's areas in their order; providers without areas are absent from the map. */
  serviceAreasOf(providerIds: readonly string[]): Promise<Map<string, ServiceArea[]>>;
  /** Feed orders within `radiusKm` of `center`, nearest first, ties by id. */
  listNearby(providerId: string, center: GeoPoint, radiusKm: number, page: NearbyPage): Promise<Page<NearbyOrder>>;
  /** Feed orders inside any of the provider's stored areas, by (createdAt, id). */
  listInServiceAreas(providerId: string, page: PageRequest): Promise<Page<Order>>;
}

type OrderRow = Parameters<typeof toOrder>[0];

const ORDER_COLUMNS = Prisma.sql`o.id, o.customer_id AS "customerId", o.service_id AS "serviceId", o.title, o.description,
  o.address, o.lat, o.lng, o.city, o.window_from AS "windowFrom", o.window_to AS "windowTo", o.scheduled_for AS "scheduledFor",
  o.budget_amount AS "budgetAmount", o.budget_currency AS "budgetCurrency", o.status::text AS status,
  o.accepted_offer_id AS "acceptedOfferId", o.created_at AS "createdAt", o.updated_at AS "updatedAt"`;

export class PrismaFeedRepository implements FeedRepository {
  constructor(private readonly prisma: OrdersPrisma) {}

  replaceServiceAreas(providerId: string, areas: readonly ServiceArea[]): Promise<ServiceArea[]> {
    return this.prisma.$transaction(async (tx) => {
      // Two replacements of one provider's list take turns instead of colliding on (provider_id, position).
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`service_areas:${providerId}`}, 0))`;
      await tx.serviceArea.deleteMany({ where: { providerId } });
      await tx.serviceArea.createMany({
        data: areas.map((a, position) => ({ providerId, position, lat: a.center.lat, lng: a.center.lng, radiusKm: a.radiusKm })),
      });
      return areas.map((a) => ({ center: { ...a.center }, radiusKm: a.radiusKm }));
    });
  }

  async serviceAreasOf(providerIds: readonly string[]): Promise<Map<string, ServiceArea[]>> {
    const rows = await this.prisma.serviceArea.findMany({
      where: { providerId: { in: [...providerIds] } },
      orderBy: [{ providerId: "asc" }, { position: "asc" }],
    });
    const result = new Map<string, ServiceArea[]>();
    for (const r of rows) {
      const list = result.get(r.providerId) ?? [];
      list.push({ center: { lat: r.lat, lng: r.lng }, radiusKm: r.radiusKm });
      result.set(r.providerId, list);
    }
    return result;
  }

  async listNearby(providerId: string, center: GeoPoint, radiusKm: number, page: NearbyPage): Promise<Page<NearbyOrder>> {
    const query = nearbyQuery(providerId, center, radiusKm, page);
    const [rows, count] = await Promise.all([
      this.prisma.$queryRaw<Array<OrderRow & { distanceKm: number }>>(query.rows),
      this.prisma.$queryRaw<Array<{ n: number }>>(query.count),
    ]);
    return { rows: rows.map(({ distanceKm, ...row }) => ({ order: toOrder(row), distanceKm })), totalCount: count[0]?.n ?? 0 };
  }

  async listInServiceAreas(providerId: string, page: PageRequest): Promise<Page<Order>> {
    // Driven from the provider's (≤ 20) areas: one GiST index scan of orders per area, instead of testing every
    // order of the provider's services against every area. An order in two overlapping areas is listed once.
    const inAreas = Prisma.sql`service_areas a
      JOIN orders o ON earth_box(ll_to_earth(a.lat, a.lng), a.radius_km * 1000) @> o.earth
      WHERE a.provider_id = ${providerId}::uuid
        AND earth_distance(ll_to_earth(a.lat, a.lng), o.earth) <= a.radius_km * 1000
        AND ${feedSql(providerId)}`;
    const [rows, count] = await Promise.all([
      this.prisma.$queryRaw<OrderRow[]>`
        SELECT DISTINCT ON (o.created_at, o.id) ${ORDER_COLUMNS} FROM ${inAreas} ${afterCreated(page.after)}
        ORDER BY o.created_at, o.id
        LIMIT ${page.take + 1}`,
      this.prisma.$queryRaw<Array<{ n: number }>>`SELECT count(DISTINCT o.id)::int AS n FROM ${inAreas}`,
    ]);
    return { rows: rows.map(toOrder), totalCount: count[0]?.n ?? 0 };
  }
}

const afterCreated = (after: Cursor | null) =>
  after ? Prisma.sql`AND (o.created_at, o.id) > (${after.createdAt}::timestamptz, ${after.id}::uuid)` : Prisma.empty;

/**
 * The distance feed's statements (exported so the plan can be inspected: the EXPLAIN test and `npm run bench:feed`).
 * earth_box(…) @> o.earth is the indexed (GiST on orders (service_id, earth)) coarse filter; earth_distance the exact circle and
 * the order.
 */
export function nearbyQuery(providerId: string, center: GeoPoint, radiusKm: number, page: NearbyPage): { rows: Prisma.Sql; count: Prisma.Sql } {
  const here = Prisma.sql`ll_to_earth(${center.lat}::float8, ${center.lng}::float8)`;
  const distance = Prisma.sql`(earth_distance(${here}, o.earth) / 1000.0)`;
  const within = Prisma.sql`${feedSql(providerId)}
    AND earth_box(${here}, ${radiusKm * 1000}::float8) @> o.earth
    AND earth_distance(${here}, o.earth) <= ${radiusKm * 1000}::float8`;
  const after = page.after
    ? Prisma.sql`AND (${distance} > ${page.after.distanceKm}::float8 OR (${distance} = ${page.after.distanceKm}::float8 AND o.id > ${page.after.id}::uuid))`
    : Prisma.empty;
  return {
    rows: Prisma.sql`SELECT ${ORDER_COLUMNS}, ${distance} AS "distanceKm" FROM orders o WHERE ${within} ${after} ORDER BY "distanceKm", o.id LIMIT ${page.take + 1}`,
    count: Prisma.sql`SELECT count(*)::int AS n FROM orders o WHERE ${within}`,
  };
}
