#!/usr/bin/env bash
# Shared by the image scripts: finds or installs an OCI engine.
#
#   ENGINE    docker when a Docker engine answers, else podman
#   ENGINE_ARGS  extra global arguments (podman: --runtime runc)
#
# On a machine without either (the project's CI machines have no Docker engine),
# podman, runc and debootstrap are installed from Debian's packages when running
# as root, and podman is configured for a container-in-sandbox machine:
# no default ulimits (the sandbox refuses raising them) and cgroupfs (no systemd).
set -euo pipefail

images_log() { printf '[images] %s\n' "$*" >&2; }
images_die() { printf '[images] error: %s\n' "$*" >&2; exit 1; }

CONTAINERS_CONF_FILE=/etc/containers/containers.conf
CONTAINERS_CONF_MARKER='# written by order-fulfillment scripts/images/engine.sh'

ensure_debian_packages() {
  local missing=()
  command -v podman >/dev/null 2>&1 || missing+=(podman)
  command -v runc >/dev/null 2>&1 || missing+=(runc)
  command -v debootstrap >/dev/null 2>&1 || missing+=(debootstrap)
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    images_die "missing ${missing[*]}, and not root to install them: run 'sudo apt-get install -y ${missing[*]}' (Debian/Ubuntu)"
  fi
  command -v apt-get >/dev/null 2>&1 || images_die "missing ${missing[*]} and no apt-get to install them with; install them with your package manager"
  images_log "installing ${missing[*]} from Debian's packages"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
}

# default_ulimits = [] under [containers], cgroup_manager = "cgroupfs" under [engine].
ensure_containers_conf() {
  if [ -f "$CONTAINERS_CONF_FILE" ] && ! grep -qF "$CONTAINERS_CONF_MARKER" "$CONTAINERS_CONF_FILE"; then
    if grep -Eq '^\s*default_ulimits\s*=\s*\[\s*\]' "$CONTAINERS_CONF_FILE" && grep -Eq '^\s*cgroup_manager\s*=\s*"cgroupfs"' "$CONTAINERS_CONF_FILE"; then
      return 0
    fi
    images_die "$CONTAINERS_CONF_FILE exists and is not ours: add 'default_ulimits = []' under [containers] and 'cgroup_manager = \"cgroupfs\"' under [engine] to it"
  fi
  [ "$(id -u)" -eq 0 ] || images_die "cannot write $CONTAINERS_CONF_FILE without root"
  mkdir -p "$(dirname "$CONTAINERS_CONF_FILE")"
  cat >"$CONTAINERS_CONF_FILE" <<CONF
$CONTAINERS_CONF_MARKER
[containers]
default_ulimits = []

[engine]
cgroup_manager = "cgroupfs"
CONF
}

select_engine() {
  if [ -n "${IMAGES_ENGINE:-}" ]; then
    ENGINE=$IMAGES_ENGINE
  elif command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; then
    ENGINE=docker
  else
    ENGINE=podman
  fi
  ENGINE_ARGS=()
  case "$ENGINE" in
    docker) ;;
    podman)
      ensure_debian_packages
      if [ "$(id -u)" -eq 0 ]; then ensure_containers_conf; fi
      ENGINE_ARGS=(--runtime runc)
      ;;
    *) images_die "IMAGES_ENGINE must be docker or podman, not '$ENGINE'" ;;
  esac
  export ENGINE
}

engine() { "$ENGINE" "${ENGINE_ARGS[@]}" "$@"; }
