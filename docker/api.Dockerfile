# syntax=docker/dockerfile:1
# api: the NestJS REST API, a Temporal client only. The same image runs the
# database migrations, once per deploy (the Kubernetes Job, compose's `migrate`):
#   node libs/db/dist/migrate.js
#
# Build from the repository root:
#   docker build -f docker/api.Dockerfile -t order-fulfillment/api .
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

# Compile with the workspace's own build command (Nx's `build` target is
# `tsc --build tsconfig.lib.json`, which builds the referenced libs first).
FROM base AS build
COPY --from=manifests /manifests/ ./
RUN npm ci --workspace apps/api --include-workspace-root --ignore-scripts --no-audit --no-fund
COPY tsconfig.base.json ./
COPY libs/ libs/
COPY apps/api/ apps/api/
RUN npx tsc --build apps/api/tsconfig.lib.json

# The runtime: production dependencies of this app only (its package.json
# declares them; lint's @nx/dependency-checks keeps that true), its build
# output and that of the libs it links. Code is owned by root, read-only to the app.
FROM base AS runtime
ENV NODE_ENV=production
COPY --from=manifests /manifests/ ./
RUN npm ci --omit=dev --workspace apps/api --include-workspace-root=false --ignore-scripts --no-audit --no-fund \
 && npm cache clean --force
COPY --from=build /app/libs/contracts/dist libs/contracts/dist
COPY --from=build /app/libs/platform/dist libs/platform/dist
COPY --from=build /app/libs/db/dist libs/db/dist
COPY --from=build /app/apps/api/dist apps/api/dist
# The image's `node` user, by number, so Kubernetes can verify runAsNonRoot.
USER 1000:1000
ENV PORT=8000
EXPOSE 8000
# node itself is PID 1 (no npm in between), so SIGTERM reaches Nest's shutdown hooks.
CMD ["node", "apps/api/dist/main.js"]
