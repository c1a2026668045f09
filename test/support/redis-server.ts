import { connect } from "node:net";

export interface RedisServer {
  url: string;
  /** Present when the server was started for this run. */
  stop?: () => Promise<void>;
}

export interface RedisSources {
  localPort: number;
  container: () => Promise<RedisServer | undefined>;
}

const DEFAULT_SOURCES: RedisSources = { localPort: 6379, container: () => startRedisContainer() };

/** REDIS_URL as given; else a Redis answering PING on 127.0.0.1:6379; else a throwaway container (Docker). */
export async function findOrStartRedis(configured: string | undefined, sources: RedisSources = DEFAULT_SOURCES): Promise<RedisServer> {
  if (configured) return { url: configured };
  if (await answersPing("127.0.0.1", sources.localPort)) return { url: `redis://127.0.0.1:${sources.localPort}` };
  const container = await sources.container();
  if (container) return container;
  throw new Error(
    `The tests need Redis: set REDIS_URL, run redis-server on 127.0.0.1:${sources.localPort}, or make a Docker engine reachable (a redis container is then started)`,
  );
}

function answersPing(host: string, port: number, timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once("error", () => done(false));
    socket.once("connect", () => socket.write("PING\r\n"));
    socket.once("data", (data) => done(data.toString().startsWith("+PONG")));
  });
}

/** A redis container through testcontainers, or undefined when no container runtime answers. */
async function startRedisContainer(): Promise<RedisServer | undefined> {
  const { GenericContainer, Wait, getContainerRuntimeClient } = await import("testcontainers");
  try {
    await getContainerRuntimeClient();
  } catch {
    return undefined;
  }
  const container = await new GenericContainer("redis:7-alpine")
    .withExposedPorts(6379)
    .withCommand(["redis-server", "--save", "", "--appendonly", "no"])
    .withWaitStrategy(Wait.forLogMessage("Ready to accept connections"))
    .start();
  return {
    url: `redis://${container.getHost()}:${container.getMappedPort(6379)}`,
    stop: async () => void (await container.stop()),
  };
}
