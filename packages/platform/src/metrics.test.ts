import type { GraphQLRequestContextWillSendResponse, GraphQLRequestListener } from "@apollo/server";
import { describe, expect, test } from "vitest";
import { createMetrics, metricsPlugin, operationLabels } from "./metrics.js";

describe("operation labels", () => {
  test("the first N well-formed names are kept, later ones and non-names are `other`", () => {
    const label = operationLabels(2);
    expect(label("A")).toBe("A");
    expect(label("B")).toBe("B");
    expect(label("C")).toBe("other");
    expect(label("A")).toBe("A");
    expect(label(undefined)).toBe("anonymous");
    const fresh = operationLabels(10);
    expect(fresh("has space")).toBe("other");
    expect(fresh("x".repeat(65))).toBe("other");
    expect(fresh('q"} evil{')).toBe("other");
  });

  test("10,000 distinct operation names add at most N series", async () => {
    const max = 50;
    const metrics = createMetrics("test", { maxOperations: max });
    const plugin = metricsPlugin(metrics);
    for (let i = 0; i < 10_000; i++) {
      const listener = (await plugin.requestDidStart?.({} as never)) as GraphQLRequestListener<never>;
      await listener.willSendResponse?.({
        operation: { operation: "query", name: { value: `Op${i}` } },
        operationName: `Op${i}`,
        errors: undefined,
      } as unknown as GraphQLRequestContextWillSendResponse<never>);
    }
    const values = (await metrics.graphqlDuration.get()).values.filter((v) => v.metricName === "graphql_request_duration_seconds_count");
    const operations = new Set(values.map((v) => v.labels.operation));
    expect(operations.size).toBeLessThanOrEqual(max + 1);
    expect(operations.has("other")).toBe(true);
  });
});
