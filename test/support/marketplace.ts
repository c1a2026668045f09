import { eventually, gqlOk, registerUser, type TestUser } from "./federation.js";

export const BERLIN = { lat: 52.52, lng: 13.405 };

/** The id of a service the catalog seeds, by its name (the search finds it among its neighbours). */
export async function seededServiceId(gatewayUrl: string, name = "Plumbing"): Promise<string> {
  const { services } = await gqlOk<{ services: Array<{ id: string; name: string }> }>(gatewayUrl, "query($s: String) { services(search: $s) { id name } }", { s: name });
  const service = services.find((s) => s.name === name);
  if (!service) throw new Error(`seeded ${name} service missing`);
  return service.id;
}

/** The provider (by access token) performs the service from now on. */
export async function assignService(gatewayUrl: string, serviceId: string, token: string): Promise<void> {
  await gqlOk(gatewayUrl, "mutation($s: ID!) { assignService(serviceId: $s) { id } }", { s: serviceId }, token);
}

/** A newly registered provider who performs the service. */
export async function providerFor(gatewayUrl: string, serviceId: string, name: string, roles = ["PROVIDER"]): Promise<TestUser> {
  const provider = await registerUser(gatewayUrl, roles, name);
  await assignService(gatewayUrl, serviceId, provider.token);
  return provider;
}

export interface OrderFields {
  title?: string;
  description?: string;
  address?: string;
  location?: { lat: number; lng: number };
  [field: string]: unknown;
}

/**
 * The customer's (by access token) new order for the service, in Berlin unless `fields` say otherwise; retried while
 * orders has not yet learnt of the service from catalog's events (right after start-up).
 */
export async function placeOrder(gatewayUrl: string, token: string, serviceId: string, fields: OrderFields = {}): Promise<string> {
  const input = { serviceId, title: "Fix my sink", description: "It drips", address: "1 Main St", location: BERLIN, ...fields };
  const { createOrder } = await eventually(() =>
    gqlOk<{ createOrder: { id: string } }>(gatewayUrl, "mutation($i: CreateOrderInput!) { createOrder(input: $i) { id } }", { i: input }, token),
  );
  return createOrder.id;
}

/** The provider's (by access token) offer on the order, retried while orders has not yet learnt they perform its service. */
export async function submitOffer(gatewayUrl: string, token: string, orderId: string, fields: Record<string, unknown> = {}): Promise<string> {
  const input = { orderId, price: { amount: 9000, currency: "EUR" }, ...fields };
  const { submitOffer: offer } = await eventually(() =>
    gqlOk<{ submitOffer: { id: string } }>(gatewayUrl, "mutation($i: SubmitOfferInput!) { submitOffer(input: $i) { id } }", { i: input }, token),
  );
  return offer.id;
}

export interface ChatSetup {
  customer: TestUser;
  provider: TestUser;
  stranger: TestUser;
  orderId: string;
  conversationId: string;
}

/**
 * A customer's order with one provider's offer, and their conversation: the state every chat test starts from
 * (participants reach chat through orders' integration events, so the conversation is awaited).
 */
export async function orderWithConversation(gatewayUrl: string, title = "Fix the boiler"): Promise<ChatSetup> {
  const serviceId = await seededServiceId(gatewayUrl);
  const [customer, provider, stranger] = await Promise.all([
    registerUser(gatewayUrl, ["CUSTOMER"], "Chat Customer"),
    registerUser(gatewayUrl, ["PROVIDER"], "Chat Provider"),
    registerUser(gatewayUrl, ["CUSTOMER", "PROVIDER"], "Chat Stranger"),
  ]);
  await assignService(gatewayUrl, serviceId, provider.token);
  const orderId = await placeOrder(gatewayUrl, customer.token, serviceId, { title, description: "No hot water", address: "4 Warm St" });
  await submitOffer(gatewayUrl, provider.token, orderId, { price: { amount: 15000, currency: "EUR" } });
  const { startConversation } = await eventually(() =>
    gqlOk<{ startConversation: { id: string } }>(
      gatewayUrl,
      "mutation($o: ID!, $p: ID) { startConversation(orderId: $o, providerId: $p) { id } }",
      { o: orderId, p: provider.id },
      customer.token,
    ),
  );
  return { customer, provider, stranger, orderId, conversationId: startConversation.id };
}
