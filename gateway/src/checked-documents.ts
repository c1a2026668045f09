import { GraphQLError, parse, specifiedRules, validate, type DocumentNode, type GraphQLSchema, type ValidationRule } from "graphql";
import { ErrorCode } from "@fixup/platform";

export type Checked = { document: DocumentNode } | { errors: readonly GraphQLError[] };

const badInput = (message: string) => new GraphQLError(message, { extensions: { code: ErrorCode.BAD_USER_INPUT } });

/**
 * Parse and validation of documents sent over the socket, once per (schema, document text). Ten thousand clients
 * subscribing with the same document would otherwise parse and validate it ten thousand times — the bulk of a
 * subscription's connect cost. Bounded, least recently used first out; a new schema (supergraph update) starts
 * afresh, since validity depends on it. Refusals are kept too: they are as deterministic as acceptances.
 */
export class CheckedDocuments {
  private readonly bySchema = new WeakMap<GraphQLSchema, Map<string, Checked>>();
  private readonly rules: readonly ValidationRule[];

  constructor(
    extraRules: readonly ValidationRule[],
    private readonly maxTokens: number,
    private readonly capacity = 1000,
  ) {
    this.rules = [...specifiedRules, ...extraRules];
  }

  check(schema: GraphQLSchema, query: string): Checked {
    let entries = this.bySchema.get(schema);
    if (!entries) this.bySchema.set(schema, (entries = new Map()));
    const known = entries.get(query);
    if (known) {
      entries.delete(query);
      entries.set(query, known);
      return known;
    }
    const checked = this.run(schema, query);
    if (entries.size >= this.capacity) entries.delete(entries.keys().next().value as string);
    entries.set(query, checked);
    return checked;
  }

  private run(schema: GraphQLSchema, query: string): Checked {
    let document: DocumentNode;
    try {
      document = parse(query, { maxTokens: this.maxTokens });
    } catch (error) {
      const message = error instanceof GraphQLError ? error.message : "Syntax Error";
      return { errors: [badInput(message)] };
    }
    const refused = validate(schema, document, this.rules);
    if (refused.length) return { errors: refused.map((e) => badInput(e.message)) };
    return { document };
  }
}
