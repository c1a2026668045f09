# syntax=docker/dockerfile:1.7
# One Dockerfile, one image per service: `docker build --build-arg SERVICE=users --build-arg PORT=4001 .` (users
# 4001, catalog 4002, orders 4003, chat 4004, gateway 4000); docker-bake.hcl builds all five in one BuildKit session, so the shared build stage runs once.
ARG NODE_IMAGE=node:22.12.0-bookworm-slim

# Everything needed to compile: the full lockfile install (dev tools included), Prisma clients, the bundles.
FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
COPY packages/platform/package.json packages/platform/
COPY subgraphs/users/package.json subgraphs/users/
COPY subgraphs/catalog/package.json subgraphs/catalog/
COPY subgraphs/orders/package.json subgraphs/orders/
COPY subgraphs/chat/package.json subgraphs/chat/
COPY gateway/package.json gateway/
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund
COPY . .
RUN npm run generate && npm run build

# Only the service's runtime dependencies, from its own cut of the lockfile (dist/<service>/package-lock.json).
FROM ${NODE_IMAGE} AS runtime-deps
ARG SERVICE=gateway
WORKDIR /app
COPY --from=build /src/dist/${SERVICE}/package.json /src/dist/${SERVICE}/package-lock.json ./
# SCARF_ANALYTICS: swagger-ui-dist's install-time telemetry stays off in builds.
RUN --mount=type=cache,target=/root/.npm SCARF_ANALYTICS=false npm ci --omit=dev --no-audit --no-fund

FROM ${NODE_IMAGE} AS runtime
ARG SERVICE=gateway
ARG PORT=4000
ENV NODE_ENV=production SERVICE=${SERVICE} BIND_HOST=0.0.0.0 GATEWAY_HOST=0.0.0.0 \
    MEDIA_DIR=/data/media MAIL_OUTBOX_DIR=/data/mail-outbox NODE_OPTIONS=--enable-source-maps
WORKDIR /app
# Everything the process writes lives under /data (a volume in compose), owned by the unprivileged user; /app is
# read-only to it.
RUN mkdir -p /data/media /data/mail-outbox && chown -R node:node /data
COPY --from=runtime-deps /app/node_modules ./node_modules
COPY --from=build /src/dist/${SERVICE}/ ./
USER node
VOLUME ["/data"]
EXPOSE ${PORT}
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 CMD ["node", "healthcheck.mjs", "/healthz"]
STOPSIGNAL SIGTERM
CMD ["node", "main.js"]
