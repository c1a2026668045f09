import { Prisma } from "../generated/prisma/client.js";
import { PROVIDERS_FEED } from "../domain/order-rules.js";

/**
 * The domain's feed criteria (PROVIDERS_FEED) translated, one condition per criterion, for the two ways the
 * repositories query orders: a Prisma `where` and raw SQL on `orders o`. No feed rule is decided here.
 */

/** What the Prisma `where` needs resolved beforehand: the provider's services and the customers suspended now. */
export interface FeedScope {
  providerId: string;
  serviceIds: string[];
  suspendedCustomers: string[];
  now: Date;
}

export function feedWhere({ providerId, serviceIds, suspendedCustomers, now }: FeedScope): Prisma.OrderWhereInput {
  const and: Prisma.OrderWhereInput[] = [];
  if (PROVIDERS_FEED.excludeOwnOrders) and.push({ customerId: { not: providerId } });
  if (PROVIDERS_FEED.excludeSuspendedCustomers) and.push({ customerId: { notIn: suspendedCustomers } });
  if (PROVIDERS_FEED.excludeEndedWindows) and.push({ OR: [{ windowTo: null }, { windowTo: { gt: now } }] });
  return { status: { in: [...PROVIDERS_FEED.statuses] }, serviceId: { in: serviceIds }, AND: and };
}

/** The same criteria as SQL on `orders o`, with the provider's services and suspensions read in the statement. */
export function feedSql(providerId: string): Prisma.Sql {
  const conditions = [
    Prisma.sql`o.status IN (${Prisma.join(PROVIDERS_FEED.statuses.map((s) => Prisma.sql`${s}::"OrderStatus"`))})`,
    Prisma.sql`o.service_id IN (SELECT ps.service_id FROM provider_services ps WHERE ps.provider_id = ${providerId}::uuid)`,
  ];
  if (PROVIDERS_FEED.excludeOwnOrders) conditions.push(Prisma.sql`o.customer_id <> ${providerId}::uuid`);
  if (PROVIDERS_FEED.excludeSuspendedCustomers) {
    conditions.push(Prisma.sql`NOT EXISTS (SELECT 1 FROM suspended_accounts sa WHERE sa.user_id = o.customer_id AND (sa.until IS NULL OR sa.until > now()))`);
  }
  if (PROVIDERS_FEED.excludeEndedWindows) conditions.push(Prisma.sql`(o.window_to IS NULL OR o.window_to > now())`);
  return Prisma.join(conditions, " AND ");
}
