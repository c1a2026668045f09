import { TEST_REDIS_URL, TEST_SERVER_URL } from "@fixup/platform/testing";
import pg from "pg";
import { expect, test } from "vitest";

// The global setup's servers reach every worker: with DATABASE_URL unset where `npm test` ran, it is set here
// (to the embedded server), and the helpers every test file uses read that one.
test("every test worker sees the run's PostgreSQL and Redis", async () => {
  expect(process.env.DATABASE_URL).toMatch(/^postgres(ql)?:\/\//);
  expect(process.env.REDIS_URL).toMatch(/^rediss?:\/\//);
  expect(TEST_SERVER_URL).toBe(process.env.DATABASE_URL);
  expect(TEST_REDIS_URL).toBe(process.env.REDIS_URL);
  const client = new pg.Client({ connectionString: TEST_SERVER_URL });
  await client.connect();
  try {
    const { rows } = await client.query<{ ok: number }>("SELECT 1 AS ok");
    expect(rows).toEqual([{ ok: 1 }]);
  } finally {
    await client.end();
  }
});
