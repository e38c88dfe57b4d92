# The Vigil hub in a container. Built and published by the release workflow (this repository's CI
# has no Docker engine; tests/container checks this file's conventions and runs its command).
#
#   docker build -t vigil-hub .
#   docker run -d --name vigil-hub -p 7471:7471 -v vigil-hub-data:/data \
#     -e VIGIL_HUB_TOKEN="$(openssl rand -base64 32)" vigil-hub
#   docker exec vigil-hub node bin/vigil.js hub add-machine web-1 --data-dir /data
#
# Two stages: the build stage has the compiler better-sqlite3 builds with and the dev dependencies
# TypeScript needs; the runtime stage gets only the built JavaScript and the production
# node_modules, and runs as the unprivileged `node` user.

ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS build
RUN apt-get update \
    && apt-get install -y --no-install-recommends python3 make g++ \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# Electron and Playwright are dev dependencies of the tray app; their binaries are not needed here.
ENV ELECTRON_SKIP_BINARY_DOWNLOAD=1 \
    PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build \
    && npm prune --omit=dev --no-audit --no-fund

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    VIGIL_HUB_DATA_DIR=/data
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/bin ./bin
# The volume's mount point belongs to `node`, so a new named volume starts out writable for it.
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 7471
# /health is public (no token) and cheap; node is the only tool the slim image is sure to have.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["node", "-e", "require('http').get('http://127.0.0.1:7471/health', (r) => process.exit(r.statusCode === 200 ? 0 : 1)).on('error', () => process.exit(1))"]
# The hub with Node's default V8 settings (the agent's interpreter-only flags are for the per-second sampler).
# Listening beyond the container needs VIGIL_HUB_TOKEN: the hub refuses to start without it.
ENTRYPOINT ["node", "bin/vigil.js"]
CMD ["hub", "--data-dir", "/data", "--host", "0.0.0.0", "--port", "7471"]
