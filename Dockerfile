# One image for every service: SERVICE picks the entry point (users, catalog, orders, chat or gateway).
# Not built on the development machines (no Docker engine there); CI builds it on merge.
FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY packages/platform/package.json packages/platform/
COPY subgraphs/users/package.json subgraphs/users/
COPY subgraphs/catalog/package.json subgraphs/catalog/
COPY subgraphs/orders/package.json subgraphs/orders/
COPY subgraphs/chat/package.json subgraphs/chat/
COPY gateway/package.json gateway/
RUN npm ci --no-audit --no-fund

FROM deps AS app
COPY . .
RUN npm run generate
ENV NODE_ENV=production
ARG SERVICE=gateway
ENV SERVICE=${SERVICE}
# The users service's local media volume mounts here; it must be writable by the unprivileged user.
RUN mkdir -p /data/media && chown node:node /data/media
USER node
CMD ["sh", "-c", "if [ \"$SERVICE\" = gateway ]; then exec node --import tsx gateway/src/main.ts; else exec node --import tsx subgraphs/$SERVICE/src/main.ts; fi"]
