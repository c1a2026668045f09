import type { Logger } from "@fixup/platform";
import type { SubgraphReply } from "./subgraph-fetcher.js";

type Send = (headers: Record<string, string>, body: string) => Promise<SubgraphReply>;

interface Item {
  body: string;
  requestId: string;
  resolve(reply: SubgraphReply): void;
  reject(error: unknown): void;
}

interface Batch {
  headers: Record<string, string>;
  items: Item[];
}

/**
 * Read-only operations for one subgraph with the same credentials, issued in the same turn of the event loop (a
 * query plan's parallel fetches: `customer { name }` and `offers { provider { name } }` both go to users), travel
 * as one HTTP batch. The subgraph runs them with one request context — one token check, one set of DataLoaders,
 * so one SQL statement for both — and the gateway pays one round trip.
 *
 * If the batch is refused or answered in any other shape, every operation is sent on its own, exactly as if it
 * had never been batched.
 */
export class SameTickBatcher {
  private readonly open = new Map<string, Batch>();

  constructor(
    private readonly send: Send,
    private readonly log: { logger: Logger; subgraph: string; onBatched?: (operations: number) => void },
  ) {}

  /** `key` must identify everything but the body that can change the answer (URL, credentials). */
  enqueue(key: string, headers: Record<string, string>, body: string, requestId: string): Promise<SubgraphReply> {
    let batch = this.open.get(key);
    if (!batch) {
      const created: Batch = { headers, items: [] };
      this.open.set(key, created);
      setImmediate(() => {
        this.open.delete(key);
        void this.flush(created);
      });
      batch = created;
    }
    const items = batch.items;
    return new Promise((resolve, reject) => items.push({ body, requestId, resolve, reject }));
  }

  private async flush({ headers, items }: Batch): Promise<void> {
    const [only] = items;
    if (only && items.length === 1) return this.alone(headers, only);
    this.log.onBatched?.(items.length - 1);
    this.log.logger.debug({ subgraph: this.log.subgraph, requestIds: items.map((i) => i.requestId) }, "subgraph operations batched");
    let answers: string[] | undefined;
    let reply: SubgraphReply | undefined;
    try {
      reply = await this.send(headers, `[${items.map((i) => i.body).join(",")}]`);
      answers = split(reply, items.length);
    } catch {
      answers = undefined;
    }
    if (!answers || !reply) {
      await Promise.all(items.map((item) => this.alone(headers, item)));
      return;
    }
    const { status, contentType, cacheControl } = reply;
    items.forEach((item, i) => item.resolve({ status, contentType, cacheControl, body: answers[i] as string }));
  }

  private alone(headers: Record<string, string>, item: Item): Promise<void> {
    return this.send(headers, item.body).then(item.resolve, item.reject);
  }
}

/** The batch's answers, one JSON text per operation, when the reply is a JSON array of the expected length. */
function split(reply: SubgraphReply, expected: number): string[] | undefined {
  if (reply.status < 200 || reply.status > 299 || !reply.contentType?.startsWith("application/json")) return undefined;
  const parsed: unknown = JSON.parse(reply.body);
  if (!Array.isArray(parsed) || parsed.length !== expected) return undefined;
  return parsed.map((answer) => JSON.stringify(answer));
}
