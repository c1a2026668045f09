import { Agent, request } from "undici";

/** What a subgraph answered, as text: callers that share one answer each parse their own copy. */
export interface SubgraphReply {
  status: number;
  contentType: string | undefined;
  cacheControl: string | undefined;
  body: string;
}

export type SubgraphFetcher = (url: string, headers: Record<string, string>, body: string) => Promise<SubgraphReply>;

const header = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);

/**
 * POSTs over a keep-alive undici pool. Apollo's default (make-fetch-happen) builds a cache policy, an agent
 * lookup and an Error().stack per request — a quarter of the gateway's CPU under load; none of it is needed
 * to talk to our own subgraphs on a private network.
 */
export function createSubgraphFetcher(options: { connectionsPerOrigin?: number } = {}): SubgraphFetcher & { close(): Promise<void> } {
  const agent = new Agent({ connections: options.connectionsPerOrigin ?? 64, keepAliveTimeout: 30_000, keepAliveMaxTimeout: 60_000 });
  const fetcher = async (url: string, headers: Record<string, string>, body: string): Promise<SubgraphReply> => {
    const res = await request(url, { method: "POST", headers, body, dispatcher: agent });
    return {
      status: res.statusCode,
      contentType: header(res.headers["content-type"]),
      cacheControl: header(res.headers["cache-control"]),
      body: await res.body.text(),
    };
  };
  return Object.assign(fetcher, { close: () => agent.close() });
}
