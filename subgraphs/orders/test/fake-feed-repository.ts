import type { Cursor, PageRequest } from "@fixup/platform";
import { distanceKm, type GeoPoint } from "../src/domain/location.js";
import type { Order } from "../src/domain/order.js";
import { covers, type ServiceArea } from "../src/domain/service-area.js";
import type { FeedRepository, NearbyOrder, NearbyPage } from "../src/repository/feed-repository.js";
import type { Page } from "../src/repository/order-repository.js";
import type { FakeOrderRepository } from "./fake-order-repository.js";

const clone = <T>(value: T): T => structuredClone(value);

const byCreated = (a: Order, b: Order) =>
  a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
const isAfter = (o: Order, after: Cursor | null) =>
  !after || o.createdAt.getTime() > after.createdAt.getTime() || (o.createdAt.getTime() === after.createdAt.getTime() && o.id > after.id);

/**
 * In-memory FeedRepository over a FakeOrderRepository's orders and read model, with the Prisma repository's
 * contract: distances by haversine on earthdistance's sphere, the feed rule from the domain, copies out.
 */
export class FakeFeedRepository implements FeedRepository {
  readonly areas = new Map<string, ServiceArea[]>();

  constructor(private readonly orders: FakeOrderRepository) {}

  async replaceServiceAreas(providerId: string, areas: readonly ServiceArea[]): Promise<ServiceArea[]> {
    this.areas.set(providerId, clone([...areas]));
    return clone([...areas]);
  }

  async serviceAreasOf(providerIds: readonly string[]): Promise<Map<string, ServiceArea[]>> {
    const result = new Map<string, ServiceArea[]>();
    for (const id of new Set(providerIds)) {
      const list = this.areas.get(id);
      if (list?.length) result.set(id, clone(list));
    }
    return result;
  }

  async listNearby(providerId: string, center: GeoPoint, radiusKm: number, page: NearbyPage): Promise<Page<NearbyOrder>> {
    const within = (await this.orders.feedOf(providerId))
      .flatMap((order) => (order.location ? [{ order, distanceKm: distanceKm(center, order.location) }] : []))
      .filter((r) => r.distanceKm <= radiusKm)
      .sort((a, b) => a.distanceKm - b.distanceKm || (a.order.id < b.order.id ? -1 : a.order.id > b.order.id ? 1 : 0));
    const after = page.after;
    const rows = within
      .filter((r) => !after || r.distanceKm > after.distanceKm || (r.distanceKm === after.distanceKm && r.order.id > after.id))
      .slice(0, page.take + 1);
    return { rows: rows.map(clone), totalCount: within.length };
  }

  async listInServiceAreas(providerId: string, page: PageRequest): Promise<Page<Order>> {
    const areas = this.areas.get(providerId) ?? [];
    const inside = (await this.orders.feedOf(providerId))
      .filter((o) => o.location && areas.some((a) => covers(a, o.location as GeoPoint)))
      .sort(byCreated);
    return { rows: inside.filter((o) => isAfter(o, page.after)).slice(0, page.take + 1).map(clone), totalCount: inside.length };
  }
}
