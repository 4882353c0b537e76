# Atlas in a container: the CLI (dist/) with its production dependencies. Used by docker-compose.yml
# for the coordinator and the workers of a queued sweep (docs/distributed.md).
FROM node:20-slim AS build
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts && npm rebuild better-sqlite3
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY scripts/bundleCli.mjs ./scripts/
# The bundle (dist/bundle/atlas.cjs) is what bin/atlas.js runs, with its code cache (docs/architecture.md "Start-up").
RUN npx tsc -p tsconfig.build.json && node scripts/bundleCli.mjs && npm prune --omit=dev

FROM node:20-slim
WORKDIR /app
ENV NODE_ENV=production ATLAS_HOME=/data
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY bin ./bin
COPY docs ./docs
# Volumes mounted here start owned by node (the shared panel directory, the worker cache).
RUN mkdir -p /shared /cache /data && chown node:node /shared /cache /data
USER node
ENTRYPOINT ["node", "/app/bin/atlas.js"]
CMD ["--help"]
