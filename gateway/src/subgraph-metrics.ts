import { Counter } from "prom-client";
import type { Metrics } from "@fixup/platform";

/** Subgraph calls the gateway sent and the ones it answered from an identical call already in flight. */
export function subgraphFetchCounter(metrics: Metrics): (subgraph: string, merged: boolean) => void {
  const counter = new Counter({
    name: "gateway_subgraph_fetches_total",
    help: "Subgraph operations by outcome: sent, or merged into an identical one in flight",
    labelNames: ["subgraph", "outcome"],
    registers: [metrics.registry],
  });
  const sent = new Map<string, Counter.Internal>();
  const merged = new Map<string, Counter.Internal>();
  return (subgraph, isMerged) => {
    const cache = isMerged ? merged : sent;
    let child = cache.get(subgraph);
    if (!child) cache.set(subgraph, (child = counter.labels({ subgraph, outcome: isMerged ? "merged" : "sent" })));
    child.inc();
  };
}
