// Every PromQL expression the operations configs hold (Grafana dashboards, alert rules) and the metric names they
// read: check:infra parses the expressions with promtool; observability.e2e.test.ts checks the names against what
// the services export.
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const INFRA = fileURLToPath(new URL("../../infra/", import.meta.url));
export const DASHBOARD_DIR = `${INFRA}grafana/dashboards`;
export const ALERTS_FILE = `${INFRA}prometheus/alerts.yml`;

export interface Query {
  /** Where it is: "<dashboard uid> / <panel title>" or "alert <name>". */
  where: string;
  expr: string;
}

interface Panel {
  title?: string;
  targets?: { expr?: string }[];
  panels?: Panel[];
}

export function dashboardQueries(dir = DASHBOARD_DIR): Query[] {
  const queries: Query[] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".json")).sort()) {
    const dashboard = JSON.parse(readFileSync(`${dir}/${file}`, "utf8")) as { uid?: string; panels?: Panel[] };
    const walk = (panels: Panel[] = []) => {
      for (const panel of panels) {
        for (const target of panel.targets ?? []) {
          if (target.expr) queries.push({ where: `${dashboard.uid ?? file} / ${panel.title ?? "?"}`, expr: target.expr });
        }
        walk(panel.panels);
      }
    };
    walk(dashboard.panels);
  }
  return queries;
}

/** Alert expressions, read without a YAML library: each `expr:` is one line or a `|` block (as alerts.yml writes them). */
export function alertQueries(file = ALERTS_FILE): Query[] {
  const lines = readFileSync(file, "utf8").split("\n");
  const queries: Query[] = [];
  let alert = "?";
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const name = /^\s*- alert: (\S+)/.exec(line);
    if (name) alert = name[1]!;
    const expr = /^(\s*)expr: (.*)$/.exec(line);
    if (!expr) continue;
    if (expr[2]!.trim() !== "|") {
      queries.push({ where: `alert ${alert}`, expr: expr[2]!.trim() });
      continue;
    }
    const indent = expr[1]!.length;
    const block: string[] = [];
    while (i + 1 < lines.length && (lines[i + 1]!.trim() === "" || /^\s*/.exec(lines[i + 1]!)![0].length > indent)) block.push(lines[++i]!.trim());
    queries.push({ where: `alert ${alert}`, expr: block.join(" ").trim() });
  }
  return queries;
}

/** Grafana's template variables replaced by values Prometheus accepts, so promtool can parse a panel's query. */
export const concreteExpr = (expr: string): string =>
  expr.replaceAll("$__rate_interval", "5m").replaceAll("$__interval", "1m").replaceAll("$service", "users");

const KEYWORDS = new Set([
  "by", "without", "on", "ignoring", "group_left", "group_right", "bool", "and", "or", "unless", "offset", "inf", "nan",
]);

/**
 * Metric names an expression selects. A small lexer rather than a PromQL parser: strings, label matchers, ranges,
 * grouping clauses and function calls are dropped; the identifiers left are metric names (promtool checks syntax).
 */
export function metricNames(expr: string): string[] {
  const stripped = concreteExpr(expr)
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, " ")
    .replace(/\[[^\]]*\]/g, " ")
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, " ");
  const names = new Set<string>();
  for (const match of stripped.matchAll(/[A-Za-z_:][A-Za-z0-9_:]*/g)) {
    const token = match[0];
    const after = stripped.slice(match.index + token.length).trimStart();
    if (after.startsWith("(") || KEYWORDS.has(token.toLowerCase())) continue;
    if (/[0-9.]$/.test(stripped.slice(0, match.index))) continue; // the exponent of 1e-9
    names.add(token);
  }
  return [...names].sort();
}
