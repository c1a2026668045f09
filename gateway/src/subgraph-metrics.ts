import { Counter } from "prom-client";
import type { Metrics } from "@fixup/platform";
import type { FetchOutcome } from "./data-source.js";

/**
 * Subgraph HTTP requests the gateway sent, and operations it answered from an identical one in flight (merged)
 * or sent inside another's HTTP batch (batched).
 */
export function subgraphFetchCounter(metrics: Metrics): (subgraph: string, outcome: FetchOutcome) => void {
  const counter = new Counter({
    name: "gateway_subgraph_fetches_total",
    help: "Subgraph HTTP requests sent; operations merged into an identical one in flight or batched into another request",
    labelNames: ["subgraph", "outcome"],
    registers: [metrics.registry],
  });
  const children = new Map<string, Counter.Internal>();
  return (subgraph, outcome) => {
    const key = `${subgraph}/${outcome}`;
    let child = children.get(key);
    if (!child) children.set(key, (child = counter.labels({ subgraph, outcome })));
    child.inc();
  };
}
