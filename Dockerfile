# One image recipe for every service: docker build --build-arg APP=policy .
# (and for the local chain: docker build --target chain .)
# Builds from the lock file; the runtime image holds production dependencies,
# the app's bundle and the config, and runs as the unprivileged `node` user.

FROM node:20-bookworm-slim AS deps
WORKDIR /repo
# better-sqlite3 compiles its native addon from source.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci

# The local chain (docker-compose's `chain` service): Hardhat and tsx are dev
# dependencies, so this stage keeps them and runs tools/chain/up.ts from source.
FROM deps AS chain
ENV CHAIN_LISTEN_HOST=0.0.0.0 CHAIN_DEPLOYMENT_FILE=/chain/deployment.json
COPY tsconfig.base.json tsconfig.json ./
COPY contracts-abi ./contracts-abi
COPY libs ./libs
COPY tools ./tools
RUN mkdir -p /chain && chown node:node /chain
USER node
EXPOSE 8545
CMD ["node", "--import", "tsx", "tools/chain/up.ts"]

FROM deps AS build
ARG APP
ENV NX_DAEMON=false NX_NO_CLOUD=true
COPY . .
# The gateway also serves the operator's console (dist/apps/dashboard); other images get an empty folder.
RUN test -n "$APP" && npx nx run "$APP:build" \
 && if [ "$APP" = gateway ]; then npx nx run dashboard:build; else mkdir -p dist/apps/dashboard; fi \
 && npm prune --omit=dev

FROM node:20-bookworm-slim AS runtime
ARG APP
ENV NODE_ENV=production HOST=0.0.0.0 NEXUS_DATA_DIR=/data NEXUS_CONFIG_DIR=/app/config
WORKDIR /app
COPY --from=build /repo/node_modules ./node_modules
COPY --from=build /repo/dist/apps/${APP} ./dist
COPY --from=build /repo/dist/apps/dashboard ./dashboard
COPY config ./config
RUN mkdir -p /data && chown node:node /data
USER node
CMD ["node", "--enable-source-maps", "dist/main.js"]
