import { randomBytes } from "node:crypto";
import { gql, gqlOk, postJson, type GraphQLResponse, type TestUser } from "./federation.js";

/**
 * A client's own next step, right after a mutation answered, through alternating gateways: the consistency rule says
 * nothing may be refused or hidden because an integration event is still in flight. Each scenario returns the
 * refusals it saw (empty when the rule holds), with the iteration and the error, so a failure says what happened.
 */
export interface Refusal {
  iteration: number;
  step: string;
  errors: GraphQLResponse["errors"];
}

export interface Actors {
  customer: TestUser;
  provider: TestUser;
  /** An ADMIN's access token (createService). */
  adminToken?: string;
  serviceId: string;
}

const CREATE_ORDER = "mutation($i: CreateOrderInput!) { createOrder(input: $i) { id } }";
const SUBMIT_OFFER = "mutation($i: SubmitOfferInput!) { submitOffer(input: $i) { id } }";

const orderInput = (serviceId: string, i: number) => ({ serviceId, title: `Job ${i}`, description: "Right away", address: "1 Main St", location: { lat: 52.52, lng: 13.405 } });
const refused = (iteration: number, step: string, res: GraphQLResponse): Refusal[] =>
  res.errors?.length ? [{ iteration, step, errors: res.errors }] : [];

/** provider: unassignService, then assignService via one gateway and at once submitOffer via the next. */
export async function assignThenOffer(gateways: string[], actors: Actors, iterations: number): Promise<Refusal[]> {
  const { customer, provider, serviceId } = actors;
  const gw = (i: number) => gateways[i % gateways.length] as string;
  const refusals: Refusal[] = [];
  for (let i = 0; i < iterations; i++) {
    const { createOrder } = await gqlOk<{ createOrder: { id: string } }>(gw(i), CREATE_ORDER, { i: orderInput(serviceId, i) }, customer.token);
    await gqlOk(gw(i), "mutation($s: ID!) { unassignService(serviceId: $s) { id } }", { s: serviceId }, provider.token);
    await gqlOk(gw(i), "mutation($s: ID!) { assignService(serviceId: $s) { id } }", { s: serviceId }, provider.token);
    const offer = await gql(gw(i + 1), SUBMIT_OFFER, { i: { orderId: createOrder.id, price: { amount: 100 + i, currency: "EUR" } } }, provider.token);
    refusals.push(...refused(i, "submitOffer", offer));
  }
  return refusals;
}

/** provider offers via one gateway; at once the customer starts the conversation via the next. */
export async function offerThenConversation(gateways: string[], actors: Actors, iterations: number): Promise<Refusal[]> {
  const { customer, provider, serviceId } = actors;
  const gw = (i: number) => gateways[i % gateways.length] as string;
  const refusals: Refusal[] = [];
  for (let i = 0; i < iterations; i++) {
    const { createOrder } = await gqlOk<{ createOrder: { id: string } }>(gw(i), CREATE_ORDER, { i: orderInput(serviceId, i) }, customer.token);
    await gqlOk(gw(i), SUBMIT_OFFER, { i: { orderId: createOrder.id, price: { amount: 100 + i, currency: "EUR" } } }, provider.token);
    const started = await gql(
      gw(i + 1),
      "mutation($o: ID!, $p: ID) { startConversation(orderId: $o, providerId: $p) { id } }",
      { o: createOrder.id, p: provider.id },
      customer.token,
    );
    refusals.push(...refused(i, "startConversation", started));
  }
  return refusals;
}

/** an admin creates a service via one gateway; at once a customer orders it via the next. */
export async function serviceThenOrder(gateways: string[], actors: Actors, iterations: number): Promise<Refusal[]> {
  const { customer, adminToken } = actors;
  if (!adminToken) throw new Error("serviceThenOrder needs an admin token");
  const gw = (i: number) => gateways[i % gateways.length] as string;
  const refusals: Refusal[] = [];
  const tag = randomBytes(3).toString("hex");
  for (let i = 0; i < iterations; i++) {
    const { createService } = await gqlOk<{ createService: { id: string } }>(
      gw(i),
      "mutation($i: CreateServiceInput!) { createService(input: $i) { id } }",
      { i: { name: `Service ${tag} ${i}`, category: "Test" } },
      adminToken,
    );
    const order = await gql(gw(i + 1), CREATE_ORDER, { i: orderInput(createService.id, i) }, customer.token);
    refusals.push(...refused(i, "createOrder", order));
  }
  return refusals;
}

/** Logs in through the gateway's REST shim (after an ADMIN was created out of band). */
export async function loginToken(gatewayUrl: string, email: string, password: string): Promise<string> {
  const res = await postJson(gatewayUrl, "/auth/login", { email, password });
  if (res.status !== 200) throw new Error(`login failed: ${JSON.stringify(res.body)}`);
  return (res.body as { accessToken: string }).accessToken;
}
