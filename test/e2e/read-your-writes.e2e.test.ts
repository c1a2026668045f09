import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createAdmin } from "../../subgraphs/users/src/cli/create-admin.js";
import { gqlOk, registerUser, startFederation, uniqueEmail, type Federation } from "../support/federation.js";
import { assignThenOffer, loginToken, offerThenConversation, serviceThenOrder, type Actors } from "../support/read-your-writes.js";

// The consistency rule on real Postgres and Redis with every service running twice behind two gateways: a client's
// next step, sent through the other gateway (so to the other instance of each service) the moment the previous
// mutation answered, is never refused because an integration event is still in flight.
const ITERATIONS = 100;

let fed: Federation;
let actors: Actors;

beforeAll(async () => {
  fed = await startFederation({ instances: 2 });
  const [gateway] = fed.gatewayUrls as [string];
  const { services } = await gqlOk<{ services: Array<{ id: string }> }>(gateway, '{ services(search: "plumbing") { id } }');
  const [customer, provider] = await Promise.all([
    registerUser(gateway, ["CUSTOMER"], "RYW Customer"),
    registerUser(gateway, ["PROVIDER"], "RYW Provider"),
  ]);
  const email = uniqueEmail("admin");
  await createAdmin(fed.databaseUrls.users, { email, password: "correct horse battery", name: "RYW Admin" });
  actors = { customer, provider, serviceId: services[0]?.id as string, adminToken: await loginToken(gateway, email, "correct horse battery") };
}, 90_000);

afterAll(async () => {
  await fed?.stop();
});

describe("read-your-writes across services (2 instances of each service, 2 gateways, alternating)", () => {
  test(`assignService → submitOffer, ${ITERATIONS} times: zero refusals`, async () => {
    expect(await assignThenOffer(fed.gatewayUrls, actors, ITERATIONS)).toEqual([]);
  }, 120_000);

  test(`submitOffer → startConversation, ${ITERATIONS} times: zero refusals`, async () => {
    expect(await offerThenConversation(fed.gatewayUrls, actors, ITERATIONS)).toEqual([]);
  }, 120_000);

  test(`createService → createOrder, ${ITERATIONS} times: zero refusals`, async () => {
    expect(await serviceThenOrder(fed.gatewayUrls, actors, ITERATIONS)).toEqual([]);
  }, 120_000);
});
