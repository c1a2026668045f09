// Prints every dashboard query as a Prometheus recording rule, so `promtool check rules` parses each one
// (npm run check:infra). JSON strings are valid YAML scalars: no YAML library needed.
import { concreteExpr, dashboardQueries } from "./promql.js";

const rules = dashboardQueries().map((q, i) => `      - record: dashboard:query_${i}\n        expr: ${JSON.stringify(concreteExpr(q.expr))}  # ${q.where.replaceAll("\n", " ")}`);
process.stdout.write(`groups:\n  - name: grafana-dashboards\n    rules:\n${rules.join("\n")}\n`);
