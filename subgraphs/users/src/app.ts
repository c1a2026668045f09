import {
  loadTypeDefs,
  localJwksVerifier,
  startService,
  subgraphSchema,
  type RunningServer,
  type ServiceOptions,
  type ServiceParts,
  type ServiceRuntime,
  withRevocations,
} from "@fixup/platform";
import type { UsersConfig } from "./config.js";
import type { UsersContext } from "./graphql/context.js";
import { withModeration } from "./graphql/moderation-resolvers.js";
import { resolvers } from "./graphql/resolvers.js";
import { PrismaAccountTokenRepository } from "./repository/account-token-repository.js";
import { PrismaIdentityRepository } from "./repository/identity-repository.js";
import { createPrisma } from "./repository/prisma.js";
import { PrismaRefreshTokenRepository } from "./repository/refresh-token-repository.js";
import { PrismaSigningKeyRepository } from "./repository/signing-key-repository.js";
import { PrismaModerationRepository } from "./repository/moderation-repository.js";
import { PrismaUserRepository } from "./repository/user-repository.js";
import { accountRoutes } from "./rest/account-routes.js";
import { authRoutes } from "./rest/auth-routes.js";
import { avatarRoutes } from "./rest/avatar-routes.js";
import { mediaRoutes } from "./rest/media-routes.js";
import { docsRoutes } from "./rest/docs-routes.js";
import { AccountEmailService } from "./service/account-email-service.js";
import { AuthService } from "./service/auth-service.js";
import { AvatarService } from "./service/avatar-service.js";
import { IdentityCipher } from "./service/identity-cipher.js";
import { loadIdentityKeyring } from "./service/identity-keys.js";
import { IdentityService } from "./service/identity-service.js";
import { createLoginLimiter, DEFAULT_LOGIN_LIMITS } from "./service/login-limiter.js";
import { createMailer } from "./service/mail/index.js";
import { scryptHasher, scryptParams } from "./service/password-hasher.js";
import { ModerationService } from "./service/moderation-service.js";
import { createPasswordResetLimiter, DEFAULT_PASSWORD_RESET_LIMITS } from "./service/password-reset-limiter.js";
import { issuerAfterRevocations } from "./service/revocation-aware-issuer.js";
import { createAccessTokenIssuer } from "./service/token-issuer.js";
import { startSuspensionSweep } from "./service/suspension-sweep.js";
import { UserService } from "./service/user-service.js";
import { createAvatarStorage } from "./storage/create-storage.js";
import { MEDIA_PATH } from "./storage/local-disk-storage.js";

export const usersTypeDefs = loadTypeDefs(new URL("./graphql/schema.graphql", import.meta.url));
export const migrationsDir = new URL("../../../prisma/users/migrations", import.meta.url).pathname;

export type UsersServiceOptions = ServiceOptions;

/** Wiring only: builds the users subgraph from config and starts it (the start-up sequence is the platform's). */
export async function startUsersService(config: UsersConfig, options: UsersServiceOptions = {}): Promise<RunningServer> {
  // Production refuses to start without IDENTITY_KEYS: checked before anything is opened.
  const identityKeys = await loadIdentityKeyring(config);
  return startService<UsersPrisma, UsersContext>(
    { name: "users", config, databaseUrl: config.USERS_DATABASE_URL, port: config.USERS_PORT, migrationsDir, createPrisma, publishes: true, options },
    (runtime) => usersParts(config, identityKeys, runtime),
  );
}

type UsersPrisma = ReturnType<typeof createPrisma>;

/** The users subgraph's own parts: its use cases, REST routes and what to close on stop. */
async function usersParts(
  config: UsersConfig,
  identityKeys: Awaited<ReturnType<typeof loadIdentityKeyring>>,
  { prisma, logger, messaging, onClose }: ServiceRuntime<UsersPrisma>,
): Promise<ServiceParts<UsersContext>> {
  logger.info(`identity numbers encrypted under key ${identityKeys.keyring.active.id} (from ${identityKeys.source})`);
  const { redis, revocations } = messaging;
  if (!redis) logger.warn("REDIS_URL not set: login rate limits are kept in process memory (single instance only)");

  // A token signed in the second of its account's revocation (a role change, a lifted suspension) waits a moment.
  const tokens = issuerAfterRevocations(createAccessTokenIssuer(new PrismaSigningKeyRepository(prisma), config.ACCESS_TOKEN_TTL_SECONDS), revocations);
  const userRepository = new PrismaUserRepository(prisma);
  const moderation = new ModerationService({ users: userRepository, moderation: new PrismaModerationRepository(prisma), revocations });
  const loginLimiter = createLoginLimiter(redis, {
    ...DEFAULT_LOGIN_LIMITS,
    perAccount: config.LOGIN_MAX_FAILURES,
    perIp: config.LOGIN_MAX_FAILURES_PER_IP,
  });
  const mailer = createMailer(config, logger);
  const accountEmails = new AccountEmailService({
    users: userRepository,
    tokens: new PrismaAccountTokenRepository(prisma),
    hasher: scryptHasher(scryptParams(config.PASSWORD_SCRYPT_LOG_N)),
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
  const identity = new IdentityService({
    identities: new PrismaIdentityRepository(prisma),
    cipher: new IdentityCipher(identityKeys.keyring),
    pattern: new RegExp(config.IDENTITY_NUMBER_PATTERN),
  });
  const auth = new AuthService({
    identity,
    users: userRepository,
    refreshTokens: new PrismaRefreshTokenRepository(prisma),
    hasher: scryptHasher(scryptParams(config.PASSWORD_SCRYPT_LOG_N)),
    tokens,
    limiter: loginLimiter,
    refreshTtlSeconds: config.REFRESH_TOKEN_TTL_SECONDS,
    onRegistered: (user) => accountEmails.userRegistered(user),
    signInGate: (userId) => moderation.assertMaySignIn(userId),
    onDeleted: async (user) => {
      // Its access tokens stop working everywhere before deleteMe answers (the UserDeleted event does the rest).
      await revocations.revoke(user.id);
      await avatars.removeFor(user);
    },
  });
  const users = new UserService(userRepository, identity);
  const verifier = withRevocations(localJwksVerifier(() => tokens.jwks()), revocations, logger);
  await tokens.jwks(); // create the first signing key before serving
  const suspensionSweep = startSuspensionSweep(moderation, config.SUSPENSION_SWEEP_SECONDS, logger);
  onClose(async () => {
    suspensionSweep.stop();
    await accountEmails.settled(); // mails already promised to a caller still go out
    await mailer.close();
  });

  return {
    schema: subgraphSchema(usersTypeDefs, withModeration(resolvers)),
    verifier,
    context: (base, req) => ({
      ...base,
      auth,
      accountEmails,
      users,
      userLoader: users.createLoader(base),
      identity,
      identityPreviews: identity.createPreviewLoader(),
      ip: req.ip,
      avatarUrl: (key) => (key ? media.storage.publicUrl(key) : null),
      moderation,
      suspensionLoader: moderation.createSuspensionLoader(),
    }),
    routes: (app) => {
      app.use(authRoutes(auth), docsRoutes());
      app.use(accountRoutes(accountEmails, verifier));
      app.use(avatarRoutes(avatars, verifier));
      if (media.localDir) app.use(MEDIA_PATH, mediaRoutes(media.localDir));
    },
  };
}
