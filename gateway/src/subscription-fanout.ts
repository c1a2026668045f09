import type { ExecutionResult } from "graphql";
import type { Sink } from "graphql-ws";
import type { GatewayContext } from "./context.js";
import type { SubscriptionPlan } from "./subscription-plan.js";
import type { UpstreamEvent, UpstreamHub } from "./upstream-hub.js";

/** The part of a `ws` socket a member writes to (OPEN is 1 in the WebSocket spec). */
export interface MemberSocket {
  readonly readyState: number;
  send(data: string): void;
}

const OPEN = 1;

/** What ends a member's subscription: the client gets it through graphql-ws (an error result, then `complete`). */
export type MemberEnd = { errors: UpstreamEvent["errors"] } | { upstreamError: unknown } | { thrown: unknown } | { complete: true };

export interface FanoutMember {
  socket: MemberSocket;
  /** The client's operation id on that socket. */
  id: string;
  context: GatewayContext;
  end(reason: MemberEnd): void;
}

export type ResolveEvent = (query: string, variables: Record<string, unknown>, context: GatewayContext) => Promise<ExecutionResult>;

interface Member extends FanoutMember {
  /** `{"id":…,"type":"next","payload":` — the frame around the group's shared payload, built once per member. */
  prefix: string;
}

interface Group {
  members: Set<Member>;
  leaveUpstream: () => void;
  /** Deliveries in event order, however the resolutions finish. */
  tail: Promise<void>;
}

/**
 * Fan-out of forwarded subscription events. Clients with the same credentials, subscription and selection form one
 * group: each upstream event is resolved through the gateway once for the group and serialised once, and every
 * member's socket gets the same `next` frame with only its own operation id spliced in — the bytes graphql-ws would
 * have written (`{"id","type":"next","payload":{data[,errors]}}`), without its per-socket iterator, message
 * validation and JSON.stringify of the payload. Terminal outcomes (upstream errors, a failed resolution, completion)
 * go to each member through `end`, i.e. through graphql-ws's own error/complete path.
 */
export class SubscriptionFanout {
  private readonly groups = new Map<string, Group>();

  constructor(
    private readonly hub: Pick<UpstreamHub, "join">,
    private readonly resolve: ResolveEvent,
  ) {}

  /** Adds a member to its group (joining upstream for a new group); the returned function removes it. */
  join(plan: SubscriptionPlan, member: FanoutMember): () => void {
    const authorization = member.context.authorization ?? "";
    const key = JSON.stringify([plan.subgraph, authorization, plan.upstream, plan.refetch("")]);
    let group = this.groups.get(key);
    if (!group) group = this.open(key, plan, authorization, member.context);
    const joined: Member = { ...member, prefix: `{"id":${JSON.stringify(member.id)},"type":"next","payload":` };
    const { members } = group;
    const owner = group;
    members.add(joined);
    let left = false;
    return () => {
      if (left) return;
      left = true;
      members.delete(joined);
      if (members.size === 0) this.close(key, owner);
    };
  }

  /** Groups now open (one upstream join each). */
  get size(): number {
    return this.groups.size;
  }

  private open(key: string, plan: SubscriptionPlan, authorization: string, context: GatewayContext): Group {
    const group: Group = { members: new Set(), leaveUpstream: () => undefined, tail: Promise.resolve() };
    // Ends reach the members present when the upstream spoke; a member's end removes it from the set.
    const endAll = (reason: MemberEnd) => {
      this.close(key, group);
      for (const m of [...group.members]) m.end(reason);
    };
    const sink: Sink<UpstreamEvent> = {
      next: (event) => {
        if (event.errors?.length) return endAll({ errors: event.errors });
        const id = (Object.values(event.data ?? {})[0] as { id?: string } | null | undefined)?.id;
        if (!id) return;
        const { query, variables } = plan.refetch(id);
        // Resolved now (from the state at this event's time), delivered after every earlier event of the group.
        const resolution = this.resolve(query, variables, context);
        const audience = [...group.members];
        group.tail = group.tail.then(
          () => resolution.then((result) => deliver(result, audience, plan.responseKey), (error: unknown) => endAll({ thrown: error })),
        );
      },
      error: (error) => endAll({ upstreamError: error }),
      complete: () => endAll({ complete: true }),
    };
    group.leaveUpstream = this.hub.join(plan.subgraph, authorization, plan.upstream, sink);
    this.groups.set(key, group);
    return group;

    function deliver(result: ExecutionResult, audience: Member[], responseKey: string) {
      // An event the client may no longer see (null without errors) is skipped, not sent as a broken payload.
      if (!result.errors?.length && (result.data as Record<string, unknown> | null | undefined)?.[responseKey] == null) return;
      // graphql-ws's payload exactly: the result with `errors` moved last when present (GraphQLError's toJSON).
      const { errors, ...rest } = result;
      const payload = JSON.stringify(errors ? { ...rest, errors } : rest) + "}";
      for (const m of audience) {
        if (group.members.has(m) && m.socket.readyState === OPEN) m.socket.send(m.prefix + payload);
      }
    }
  }

  private close(key: string, group: Group): void {
    if (this.groups.get(key) !== group) return;
    this.groups.delete(key);
    group.leaveUpstream();
  }
}
