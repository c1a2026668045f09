import { loadTypeDefs, localJwksVerifier, startService, subgraphSchema, type RunningServer, type ServiceOptions, withRevocations } from "@fixup/platform";
import type { UsersConfig } from "./config.js";
import type { UsersContext } from "./graphql/context.js";
import { resolvers } from "./graphql/resolvers.js";
import { PrismaAccountTokenRepository } from "./repository/account-token-repository.js";
import { createPrisma } from "./repository/prisma.js";
import { PrismaRefreshTokenRepository } from "./repository/refresh-token-repository.js";
import { PrismaSigningKeyRepository } from "./repository/signing-key-repository.js";
import { PrismaUserRepository } from "./repository/user-repository.js";
import { accountRoutes } from "./rest/account-routes.js";
import { authRoutes } from "./rest/auth-routes.js";
import { avatarRoutes } from "./rest/avatar-routes.js";
import { mediaRoutes } from "./rest/media-routes.js";
import { docsRoutes } from "./rest/docs-routes.js";
import { AccountEmailService } from "./service/account-email-service.js";
import { AuthService } from "./service/auth-service.js";
import { AvatarService } from "./service/avatar-service.js";
import { createLoginLimiter, DEFAULT_LOGIN_LIMITS } from "./service/login-limiter.js";
import { createMailer } from "./service/mail/index.js";
import { scryptHasher } from "./service/password-hasher.js";
import { createPasswordResetLimiter, DEFAULT_PASSWORD_RESET_LIMITS } from "./service/password-reset-limiter.js";
import { createAccessTokenIssuer } from "./service/token-issuer.js";
import { UserService } from "./service/user-service.js";
import { createAvatarStorage } from "./storage/create-storage.js";
import { MEDIA_PATH } from "./storage/local-disk-storage.js";

export const usersTypeDefs = loadTypeDefs(new URL("./graphql/schema.graphql", import.meta.url));
export const migrationsDir = new URL("../../../prisma/users/migrations", import.meta.url).pathname;

export type UsersServiceOptions = ServiceOptions;

/** Wiring only: builds the users subgraph from config and starts it (the start-up sequence is the platform's). */
export async function startUsersService(config: UsersConfig, options: UsersServiceOptions = {}): Promise<RunningServer> {
  return startService<ReturnType<typeof createPrisma>, UsersContext>(
    { name: "users", config, databaseUrl: config.USERS_DATABASE_URL, port: config.USERS_PORT, migrationsDir, createPrisma, publishes: true, options },
    async ({ prisma, logger, messaging, onClose }) => {
  const { redis, revocations } = messaging;
  if (!redis) logger.warn("REDIS_URL not set: login rate limits are kept in process memory (single instance only)");

  const tokens = createAccessTokenIssuer(new PrismaSigningKeyRepository(prisma), config.ACCESS_TOKEN_TTL_SECONDS);
  const userRepository = new PrismaUserRepository(prisma);
  const loginLimiter = createLoginLimiter(redis, {
    ...DEFAULT_LOGIN_LIMITS,
    perAccount: config.LOGIN_MAX_FAILURES,
    perIp: config.LOGIN_MAX_FAILURES_PER_IP,
  });
  const mailer = createMailer(config, logger);
  const accountEmails = new AccountEmailService({
    users: userRepository,
    tokens: new PrismaAccountTokenRepository(prisma),
    hasher: scryptHasher(),
    mailer,
    resetLimiter: createPasswordResetLimiter(redis, {
      ...DEFAULT_PASSWORD_RESET_LIMITS,
      perEmail: config.PASSWORD_RESET_MAX_PER_EMAIL,
      perIp: config.PASSWORD_RESET_MAX_PER_IP,
    }),
    loginLimiter,
    publicBaseUrl: config.PUBLIC_BASE_URL,
    logger,
  });
  const media = createAvatarStorage(config);
  logger.info(`avatars stored on ${media.description}`);
  const avatars = new AvatarService({ users: userRepository, storage: media.storage, logger });
  const auth = new AuthService({
    users: userRepository,
    refreshTokens: new PrismaRefreshTokenRepository(prisma),
    hasher: scryptHasher(),
    tokens,
    limiter: loginLimiter,
    refreshTtlSeconds: config.REFRESH_TOKEN_TTL_SECONDS,
    onRegistered: (user) => accountEmails.userRegistered(user),
    onDeleted: async (user) => {
      // Its access tokens stop working everywhere before deleteMe answers (the UserDeleted event does the rest).
      await revocations.revoke(user.id);
      await avatars.removeFor(user);
    },
  });
  const users = new UserService(userRepository);
  const verifier = withRevocations(localJwksVerifier(() => tokens.jwks()), revocations, logger);
  await tokens.jwks(); // create the first signing key before serving
  onClose(async () => {
    await accountEmails.settled(); // mails already promised to a caller still go out
    await mailer.close();
  });

  return {
    schema: subgraphSchema(usersTypeDefs, resolvers),
    verifier,
    context: (base, req) => ({
      ...base,
      auth,
      accountEmails,
      users,
      userLoader: users.createLoader(),
      ip: req.ip,
      selfIds: new Set<string>(),
      avatarUrl: (key) => (key ? media.storage.publicUrl(key) : null),
    }),
    routes: (app) => {
      app.use(authRoutes(auth), docsRoutes());
      app.use(accountRoutes(accountEmails, verifier));
      app.use(avatarRoutes(avatars, verifier));
      if (media.localDir) app.use(MEDIA_PATH, mediaRoutes(media.localDir));
    },
  };
    },
  );
}
