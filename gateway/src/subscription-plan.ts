import {
  Kind,
  parse,
  print,
  visit,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type VariableDefinitionNode,
  getNamedType,
} from "graphql";

/** Which subgraph owns each Subscription root field, read from the supergraph's join directives. */
export function subscriptionOwners(supergraphSdl: string): Map<string, string> {
  const doc = parse(supergraphSdl);
  const graphNames = new Map<string, string>();
  const owners = new Map<string, string>();
  for (const def of doc.definitions) {
    if (def.kind === Kind.ENUM_TYPE_DEFINITION && def.name.value === "join__Graph") {
      for (const value of def.values ?? []) {
        const name = value.directives?.find((d) => d.name.value === "join__graph")?.arguments?.find((a) => a.name.value === "name");
        if (name?.value.kind === Kind.STRING) graphNames.set(value.name.value, name.value.value);
      }
    }
  }
  for (const def of doc.definitions) {
    if (def.kind !== Kind.OBJECT_TYPE_DEFINITION || def.name.value !== "Subscription") continue;
    const typeGraphs = (def.directives ?? [])
      .filter((d) => d.name.value === "join__type")
      .map((d) => d.arguments?.find((a) => a.name.value === "graph")?.value)
      .flatMap((v) => (v?.kind === Kind.ENUM ? [v.value] : []));
    for (const field of def.fields ?? []) {
      const fieldGraph = field.directives
        ?.find((d) => d.name.value === "join__field")
        ?.arguments?.find((a) => a.name.value === "graph")?.value;
      const graph = fieldGraph?.kind === Kind.ENUM ? fieldGraph.value : typeGraphs[0];
      const name = graph ? graphNames.get(graph) : undefined;
      if (name) owners.set(field.name.value, name);
    }
  }
  return owners;
}

export interface SubscriptionPlan {
  subgraph: string;
  /** The client's key for the root field (its alias or name). */
  responseKey: string;
  /** Sent to the owning subgraph: the root field with the client's arguments, selecting only `id`. */
  upstream: { query: string; variables: Record<string, unknown> };
  /** Run through the gateway's own query path per event: the client's selection set on `Query.<type>(id:)`. */
  refetch: (id: string) => { query: string; variables: Record<string, unknown> };
}

export class SubscriptionPlanError extends Error {}

const variablesIn = (node: unknown): Set<string> => {
  const names = new Set<string>();
  visit(node as FieldNode, { Variable: (v) => void names.add(v.name.value) });
  return names;
};

/**
 * Splits a client subscription into an upstream subscription (owned by one subgraph) and a per-event refetch
 * through the federated query path, so fields of other subgraphs (`sender { name }`) resolve like any query.
 * Each subscribed type T must have a `Query.t(id: ID!)` field — the contract every subgraph with subscriptions keeps.
 */
export function planSubscription(
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Record<string, unknown>,
  apiSchema: GraphQLSchema,
  owners: Map<string, string>,
): SubscriptionPlan {
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  const operation = operationName ? operations.find((o) => o.name?.value === operationName) : operations[0];
  if (!operation || operation.operation !== "subscription") throw new SubscriptionPlanError("Not a subscription operation");
  const fields = operation.selectionSet.selections.filter((s): s is FieldNode => s.kind === Kind.FIELD);
  if (fields.length !== 1 || operation.selectionSet.selections.length !== 1) {
    throw new SubscriptionPlanError("A subscription must select exactly one root field");
  }
  const root = fields[0] as FieldNode;
  const subgraph = owners.get(root.name.value);
  const rootDef = apiSchema.getSubscriptionType()?.getFields()[root.name.value];
  if (!subgraph || !rootDef) throw new SubscriptionPlanError(`Unknown subscription field ${root.name.value}`);
  const typeName = getNamedType(rootDef.type).name;
  const refetchField = typeName.charAt(0).toLowerCase() + typeName.slice(1);
  if (!apiSchema.getQueryType()?.getFields()[refetchField]) {
    throw new SubscriptionPlanError(`No Query.${refetchField}(id:) to resolve ${typeName} events`);
  }
  const defs = operation.variableDefinitions ?? [];
  const pick = (used: Set<string>): VariableDefinitionNode[] => defs.filter((d) => used.has(d.variable.name.value));
  const valuesOf = (used: Set<string>) => Object.fromEntries(Object.entries(variables).filter(([k]) => used.has(k)));
  const fragments = document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION);

  const argVars = variablesIn({ kind: Kind.FIELD, name: root.name, arguments: root.arguments } as FieldNode);
  const upstreamOp: OperationDefinitionNode = {
    kind: Kind.OPERATION_DEFINITION,
    operation: "subscription" as OperationDefinitionNode["operation"],
    name: { kind: Kind.NAME, value: "Upstream" },
    variableDefinitions: pick(argVars),
    selectionSet: {
      kind: Kind.SELECTION_SET,
      selections: [{ ...root, alias: undefined, selectionSet: { kind: Kind.SELECTION_SET, selections: [{ kind: Kind.FIELD, name: { kind: Kind.NAME, value: "id" } }] } }],
    },
  };

  const selectionVars = variablesIn(root.selectionSet);
  for (const f of fragments) for (const v of variablesIn(f)) selectionVars.add(v);
  const responseKey = root.alias?.value ?? root.name.value;
  const refetchDoc: DocumentNode = {
    kind: Kind.DOCUMENT,
    definitions: [
      {
        kind: Kind.OPERATION_DEFINITION,
        operation: "query" as OperationDefinitionNode["operation"],
        name: { kind: Kind.NAME, value: "SubscriptionEvent" },
        variableDefinitions: [
          ...pick(selectionVars),
          {
            kind: Kind.VARIABLE_DEFINITION,
            variable: { kind: Kind.VARIABLE, name: { kind: Kind.NAME, value: "__eventId" } },
            type: { kind: Kind.NON_NULL_TYPE, type: { kind: Kind.NAMED_TYPE, name: { kind: Kind.NAME, value: "ID" } } },
          },
        ],
        selectionSet: {
          kind: Kind.SELECTION_SET,
          selections: [
            {
              kind: Kind.FIELD,
              alias: { kind: Kind.NAME, value: responseKey },
              name: { kind: Kind.NAME, value: refetchField },
              arguments: [{ kind: Kind.ARGUMENT, name: { kind: Kind.NAME, value: "id" }, value: { kind: Kind.VARIABLE, name: { kind: Kind.NAME, value: "__eventId" } } }],
              selectionSet: root.selectionSet,
            },
          ],
        },
      },
      ...fragments,
    ],
  };
  const refetchQuery = print(refetchDoc);
  const refetchValues = valuesOf(selectionVars);
  return {
    subgraph,
    responseKey,
    upstream: { query: print({ kind: Kind.DOCUMENT, definitions: [upstreamOp] }), variables: valuesOf(argVars) },
    refetch: (id) => ({ query: refetchQuery, variables: { ...refetchValues, __eventId: id } }),
  };
}
