# syntax=docker/dockerfile:1
# shipping-worker: serves `shipping-tq` (ShippingWorkflow and the shipping activities, nothing else).
# Loads the workflow bundle pre-built at image build time (apps/shipping-worker/dist/workflow-bundle.js),
# so a pod never bundles workflows at start, and ships no workflow sources.
#
# Build from the repository root:
#   docker build -f docker/shipping-worker.Dockerfile -t order-fulfillment/shipping-worker .
# Without a registry (the project's CI machines), `npm run test:images` builds
# a local stand-in for the base image and passes it as NODE_IMAGE: see
# docs/adr/012-container-images-built-and-run-in-ci.md and the README's "building without a registry".

# The base: Node 24 LTS on Debian 12 slim (never Alpine: @temporalio's native
# core bridge needs glibc), pinned by digest so a rebuild gets the same bytes.
# To update: pick the new tag, read its digest with
#   docker buildx imagetools inspect node:<version>-bookworm-slim   (the index digest)
# and change the tag and digest together in all three Dockerfiles (same line);
# scripts/images/build.sh builds the stand-in for the version in this tag.
ARG NODE_IMAGE=node:24.20.0-bookworm-slim@sha256:ba849c60be29959425b8734d57b8b4b7d56f98edd9504c9af091d5281095a71e

FROM ${NODE_IMAGE} AS base
WORKDIR /app

# Every package.json of the workspace and the lockfile, nothing else, so the
# dependency layer below stays cached until a manifest changes. This stage and
# the install are the same in the three Dockerfiles, so one build reuses
# another's layers.
FROM base AS manifests
WORKDIR /src
COPY . .
RUN mkdir /manifests \
 && cp package.json package-lock.json /manifests/ \
 && find apps libs tools -name package.json -not -path '*/node_modules/*' -exec cp --parents {} /manifests/ \;

# The whole workspace's dependencies (the build needs its compilers and the
# libraries' project references), then this app's build with the workspace's
# own commands: Nx's `build` target is `tsc --build tsconfig.lib.json`,
# then its `bundle` target, which exits non-zero when bundling fails.
# Last, docker/runtime-deps.cjs copies what the app loads at run time to /runtime.
FROM base AS build
COPY --from=manifests /manifests/ ./
RUN --mount=type=cache,target=/root/.npm npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.base.json ./
COPY tools/infra/ tools/infra/
COPY libs/ libs/
COPY apps/shipping-worker/ apps/shipping-worker/
COPY docker/runtime-deps.cjs docker/
RUN npx tsc --build apps/shipping-worker/tsconfig.lib.json \
 && node apps/shipping-worker/dist/bundle-workflows.js \
 && node docker/runtime-deps.cjs apps/shipping-worker /runtime

# The runtime: the app's build output with the workflow bundle, the workspace libraries it
# links, and the third-party packages they load, nothing else (no npm install
# here: no devDependencies, no test tooling, no TypeScript). Code is owned by
# root, read-only to the app.
FROM base AS runtime
ENV NODE_ENV=production
COPY --from=build /runtime/ ./
# The image's `node` user, by number, so Kubernetes can verify runAsNonRoot.
USER 1000:1000
# Health endpoints for probes (/health/live, /health/ready); see libs/activities/src/health-server.ts.
# Prometheus metrics of the Temporal SDK on WORKER_METRICS_PORT (/metrics).
ENV WORKER_HEALTH_PORT=8081 WORKER_METRICS_PORT=9464
EXPOSE 8081 9464
# node itself is PID 1 (no npm in between); the Temporal Runtime owns SIGTERM
# and drains in-flight tasks within WORKER_SHUTDOWN_GRACE_MS.
CMD ["node", "apps/shipping-worker/dist/main.js"]
