# syntax=docker/dockerfile:1
# order-worker: serves `orders-tq` (OrderWorkflow and the order activities).
# Loads the workflow bundle pre-built at image build time (apps/order-worker/dist/workflow-bundle.js),
# so a pod never bundles workflows at start.
#
# Build from the repository root:
#   docker build -f docker/order-worker.Dockerfile -t order-fulfillment/order-worker .
#
# Debian slim, never Alpine: @temporalio's native core bridge needs glibc.

FROM node:20-bookworm-slim AS base
WORKDIR /app

# Every package.json of the workspace and the lockfile, nothing else, so the
# dependency layers below stay cached until a manifest changes.
FROM base AS manifests
WORKDIR /src
COPY . .
RUN mkdir /manifests \
 && cp package.json package-lock.json /manifests/ \
 && find apps libs tools -name package.json -not -path '*/node_modules/*' -exec cp --parents {} /manifests/ \;

# Compile with the workspace's own build commands: Nx's `build` target
# (`tsc --build tsconfig.lib.json`, referenced libs first), then its `bundle`
# target, which exits non-zero when bundling fails.
FROM base AS build
COPY --from=manifests /manifests/ ./
RUN npm ci --workspace apps/order-worker --include-workspace-root --ignore-scripts --no-audit --no-fund
COPY tsconfig.base.json ./
COPY libs/ libs/
COPY apps/order-worker/ apps/order-worker/
RUN npx tsc --build apps/order-worker/tsconfig.lib.json \
 && node apps/order-worker/dist/bundle-workflows.js

# The runtime: production dependencies of this app only (its package.json
# declares them; lint's @nx/dependency-checks keeps that true), its build
# output with the workflow bundle, and the libs it links. The workflow sources
# are not shipped: the bundle is the only workflow code in the image.
# Code is owned by root, read-only to the app.
FROM base AS runtime
ENV NODE_ENV=production
COPY --from=manifests /manifests/ ./
RUN npm ci --omit=dev --workspace apps/order-worker --include-workspace-root=false --ignore-scripts --no-audit --no-fund \
 && npm cache clean --force
COPY --from=build /app/libs/contracts/dist libs/contracts/dist
COPY --from=build /app/libs/platform/dist libs/platform/dist
COPY --from=build /app/libs/db/dist libs/db/dist
COPY --from=build /app/libs/activities/dist libs/activities/dist
COPY --from=build /app/apps/order-worker/dist apps/order-worker/dist
# The image's `node` user, by number, so Kubernetes can verify runAsNonRoot.
USER 1000:1000
# Health endpoints for probes (/health/live, /health/ready); see libs/activities/src/health-server.ts.
ENV WORKER_HEALTH_PORT=8081
EXPOSE 8081
# node itself is PID 1 (no npm in between); the Temporal Runtime owns SIGTERM
# and drains in-flight tasks within WORKER_SHUTDOWN_GRACE_MS.
CMD ["node", "apps/order-worker/dist/main.js"]
