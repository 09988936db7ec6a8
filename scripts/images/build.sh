#!/usr/bin/env bash
# Builds the three app images with a real OCI builder:
#
#   scripts/images/build.sh [TAG]        (default tag: test)
#
# Docker when an engine answers; else podman (installed from Debian's packages
# when missing and running as root), always with `--runtime runc`.
# The base image: the Dockerfiles' pinned NODE_IMAGE when the engine has it or
# can pull it; else ("building without a registry") a local stand-in built by
# base-standin.sh and imported under the same name without the digest, passed
# as --build-arg NODE_IMAGE. Writes what it did to .tools/images/build.json.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo_root=$(cd "$here/../.." && pwd)
# shellcheck source-path=SCRIPTDIR source=engine.sh
source "$here/engine.sh"
tag=${1:-test}
[[ "$tag" =~ ^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$ ]] || images_die "not an image tag: '$tag'"
apps=(api order-worker shipping-worker)
cd "$repo_root"

# One base reference, the same in all three Dockerfiles.
base=""
for app in "${apps[@]}"; do
  ref=$(sed -n 's/^ARG NODE_IMAGE=\(.*\)$/\1/p' "docker/$app.Dockerfile")
  [ -n "$ref" ] || images_die "docker/$app.Dockerfile has no 'ARG NODE_IMAGE=<image>@sha256:<digest>' line"
  [[ "$ref" == *@sha256:* ]] || images_die "docker/$app.Dockerfile: NODE_IMAGE is not pinned by digest: $ref"
  [ -z "$base" ] || [ "$base" = "$ref" ] || images_die "the Dockerfiles disagree on NODE_IMAGE: $base vs $ref"
  base=$ref
done
name=${base%@*}
node_version=$(sed -n 's/^node:\([0-9]*\.[0-9]*\.[0-9]*\)-.*/\1/p' <<<"$name")
[ -n "$node_version" ] || images_die "NODE_IMAGE must be node:<x.y.z>-<variant>@sha256:..., got $base"

mkdir -p .tools/images
select_engine
images_log "engine: $ENGINE ($("$ENGINE" --version))"
started=$SECONDS
build_args=()
base_source=pinned
if engine image inspect "$base" >/dev/null 2>&1; then
  images_log "base $base is present"
elif [ "${IMAGES_BASE:-auto}" != standin ] && engine pull -q "$base" >/dev/null 2>"$repo_root/.tools/images/pull.log"; then
  images_log "base $base pulled"
else
  [ "${IMAGES_BASE:-auto}" = standin ] || images_log "cannot pull $base ($(tail -1 "$repo_root/.tools/images/pull.log" 2>/dev/null)): building without a registry"
  "$here/base-standin.sh" "$name" "$node_version"
  build_args=(--build-arg "NODE_IMAGE=$name")
  base_source=standin
fi
base_seconds=$((SECONDS - started))

declare -A seconds
for app in "${apps[@]}"; do
  t=$SECONDS
  images_log "building order-fulfillment/$app:$tag"
  log="$repo_root/.tools/images/build-$app.log"
  mkdir -p "$(dirname "$log")"
  pull=(--pull=never)
  [ "$ENGINE" = docker ] && [ "$base_source" = pinned ] && pull=()
  if ! engine build "${pull[@]}" --network host "${build_args[@]}" -f "docker/$app.Dockerfile" -t "order-fulfillment/$app:$tag" . >"$log" 2>&1; then
    tail -25 "$log" >&2
    images_die "building $app failed; the whole log is $log"
  fi
  seconds[$app]=$((SECONDS - t))
  images_log "built order-fulfillment/$app:$tag in ${seconds[$app]} s"
done

mkdir -p .tools/images
cat >.tools/images/build.json <<JSON
{
  "engine": "$ENGINE",
  "engineArgs": [$(printf '"%s",' "${ENGINE_ARGS[@]}" | sed 's/,$//')],
  "base": "$base",
  "baseSource": "$base_source",
  "baseSeconds": $base_seconds,
  "images": { "api": "order-fulfillment/api:$tag", "order-worker": "order-fulfillment/order-worker:$tag", "shipping-worker": "order-fulfillment/shipping-worker:$tag" },
  "buildSeconds": { "api": ${seconds[api]}, "order-worker": ${seconds[order-worker]}, "shipping-worker": ${seconds[shipping-worker]} }
}
JSON
images_log "images built in $((SECONDS - started)) s (base: $base_source)"
