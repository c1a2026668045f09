import DataLoader from "dataloader";
import {
  alwaysCaughtUp,
  badInput,
  forbidden,
  pageRequest,
  toConnection,
  type Connection,
  type PageArgs,
  type ReadModelFreshness,
} from "@fixup/platform";
import { isProvider, type Actor } from "../domain/access.js";
import type { Order } from "../domain/order.js";
import { feedScope, serviceAreasProblems, type ServiceArea } from "../domain/service-area.js";
import type { DistanceCursor, FeedRepository } from "../repository/feed-repository.js";
import { feedInput, parseInput, serviceAreasInput } from "./inputs.js";
import type { OrderService } from "./order-service.js";

/** An openOrders page: every edge carries its distance from `near` (null without it). */
export interface FeedConnection extends Connection<Order> {
  edges: Array<{ cursor: string; node: Order; distanceKm: number | null }>;
}

export interface FeedArgs extends PageArgs {
  near?: { lat: number; lng: number } | null;
  radiusKm?: number | null;
}

export interface FeedLoaders {
  serviceAreas: DataLoader<string, ServiceArea[]>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A distance feed's cursor: opaque to clients, distinct from the (createdAt, id) cursors of other lists. */
export const encodeDistanceCursor = (c: DistanceCursor): string =>
  Buffer.from(JSON.stringify(["near", c.distanceKm, c.id])).toString("base64url");

export function decodeDistanceCursor(value: string): DistanceCursor {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(value, "base64url").toString("utf8"));
    if (Array.isArray(parsed) && parsed.length === 3 && parsed[0] === "near" && typeof parsed[1] === "number" && Number.isFinite(parsed[1])
      && parsed[1] >= 0 && typeof parsed[2] === "string" && UUID.test(parsed[2])) {
      return { distanceKm: parsed[1], id: parsed[2] };
    }
  } catch {
    // fall through to the input error
  }
  throw badInput({ after: "is not a valid cursor" });
}

const prefixed = (prefix: string, problems: Record<string, string>) =>
  Object.fromEntries(Object.entries(problems).map(([k, v]) => [k ? `${prefix}.${k}` : prefix, v]));

/** Providers' service areas and the place-aware provider feed (`openOrders`). */
export class FeedService {
  constructor(
    private readonly feed: FeedRepository,
    /** The feed without places (a provider with no areas and no `near`) is the order service's, unchanged. */
    private readonly orders: OrderService,
    private readonly catalogEvents: ReadModelFreshness = alwaysCaughtUp,
  ) {}

  createLoaders(): FeedLoaders {
    return {
      serviceAreas: new DataLoader(async (ids) => {
        const areas = await this.feed.serviceAreasOf(ids);
        return ids.map((id) => areas.get(id) ?? []);
      }),
    };
  }

  async setServiceAreas(actor: Actor, raw: unknown): Promise<ServiceArea[]> {
    if (!isProvider(actor)) throw forbidden("Only providers have service areas");
    const areas = parseInput(serviceAreasInput, raw, "areas");
    const problems = serviceAreasProblems(areas);
    if (problems) throw badInput(prefixed("areas", problems));
    return this.feed.replaceServiceAreas(actor.userId, areas);
  }

  async myServiceAreas(actor: Actor, loaders: FeedLoaders): Promise<ServiceArea[]> {
    return loaders.serviceAreas.load(actor.userId);
  }

  async openOrders(actor: Actor, args: FeedArgs, loaders: FeedLoaders): Promise<FeedConnection> {
    if (!isProvider(actor)) throw forbidden("Only providers have an open-orders feed");
    const place = parseInput(feedInput, { near: args.near, radiusKm: args.radiusKm });
    const near = place.near ?? null;
    // The provider's areas matter only without `near`; the distance feed does not wait for them.
    const areas = near ? [] : await loaders.serviceAreas.load(actor.userId);
    const decided = feedScope({ near, radiusKm: place.radiusKm ?? null }, areas);
    if ("problems" in decided) throw badInput(decided.problems);
    const { scope } = decided;
    if (scope.kind === "anywhere") return withoutDistance(await this.orders.openOrders(actor, args));
    const page = pageRequest({ first: args.first });
    // The feed is built from catalog's read model: a service assigned a moment ago must already show.
    await this.catalogEvents.caughtUp();
    if (scope.kind === "areas") {
      const inAreas = pageRequest(args);
      const result = await this.feed.listInServiceAreas(actor.userId, inAreas);
      return withoutDistance(toConnection(result.rows, inAreas, result.totalCount, (r) => r, (r) => r));
    }
    const after = args.after ? decodeDistanceCursor(args.after) : null;
    const result = await this.feed.listNearby(actor.userId, scope.center, scope.radiusKm, { take: page.take, after });
    const visible = result.rows.slice(0, page.take);
    const edges = visible.map((r) => ({
      cursor: encodeDistanceCursor({ distanceKm: r.distanceKm, id: r.order.id }),
      node: r.order,
      distanceKm: r.distanceKm,
    }));
    return {
      edges,
      pageInfo: { hasNextPage: result.rows.length > page.take, endCursor: edges.at(-1)?.cursor ?? null },
      totalCount: result.totalCount,
    };
  }
}

const withoutDistance = (c: Connection<Order>): FeedConnection => ({ ...c, edges: c.edges.map((e) => ({ ...e, distanceKm: null })) });
