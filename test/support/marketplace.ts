import { eventually, gqlOk, registerUser, type TestUser } from "./federation.js";

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
  const { services } = await gqlOk<{ services: Array<{ id: string; name: string }> }>(gatewayUrl, '{ services(search: "plumbing") { id name } }');
  const serviceId = services[0]?.id as string;
  const [customer, provider, stranger] = await Promise.all([
    registerUser(gatewayUrl, ["CUSTOMER"], "Chat Customer"),
    registerUser(gatewayUrl, ["PROVIDER"], "Chat Provider"),
    registerUser(gatewayUrl, ["CUSTOMER", "PROVIDER"], "Chat Stranger"),
  ]);
  await gqlOk(gatewayUrl, "mutation($s: ID!) { assignService(serviceId: $s) { id } }", { s: serviceId }, provider.token);
  // Orders learns of catalog's services through events: right after start-up it may not know this one yet.
  const { createOrder } = await eventually(() =>
    gqlOk<{ createOrder: { id: string } }>(
      gatewayUrl,
      "mutation($i: CreateOrderInput!) { createOrder(input: $i) { id } }",
      { i: { serviceId, title, description: "No hot water", address: "4 Warm St", location: { lat: 52.52, lng: 13.405 } } },
      customer.token,
    ),
  );
  await eventually(() =>
    gqlOk(gatewayUrl, "mutation($i: SubmitOfferInput!) { submitOffer(input: $i) { id } }", {
      i: { orderId: createOrder.id, price: { amount: 15000, currency: "EUR" } },
    }, provider.token),
  );
  const { startConversation } = await eventually(() =>
    gqlOk<{ startConversation: { id: string } }>(
      gatewayUrl,
      "mutation($o: ID!, $p: ID) { startConversation(orderId: $o, providerId: $p) { id } }",
      { o: createOrder.id, p: provider.id },
      customer.token,
    ),
  );
  return { customer, provider, stranger, orderId: createOrder.id, conversationId: startConversation.id };
}
