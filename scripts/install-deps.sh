#!/usr/bin/env bash
# Installs every Debian 12 package the project needs to build, test and run.
# Idempotent: when everything is present it checks and returns in about a
# second without touching apt's lists.
set -euo pipefail

packages=(
  # toolchain
  build-essential cmake ninja-build pkg-config git ca-certificates
  # libraries
  libboost-dev libboost-filesystem-dev libboost-system-dev libboost-test-dev
  libcpprest-dev libssl-dev zlib1g-dev
  libsoci-dev libsqlite3-dev libpq-dev
  libspdlog-dev libfmt-dev nlohmann-json3-dev libtomlplusplus-dev libcli11-dev
  # databases: SQLite is embedded; PostgreSQL is the production backend and
  # the tests run against a real server
  sqlite3 postgresql postgresql-client
  # tools the scripts and tests use
  curl binutils procps abigail-tools
)
# The admin pages' browser tests drive Debian's Chromium (scripts/run-tests.sh
# sets ERP_WITH_BROWSER=1); the demo does not need it.
if [[ -n "${ERP_WITH_BROWSER:-}" ]]; then
  packages+=(chromium fonts-dejavu-core)
fi
# Node.js and npm bundle the admin pages (and run the browser tests). A
# machine that has them already (any packaging, >= 20) keeps its own; else
# Debian's.
node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [[ $node_major -lt 20 ]] || ! command -v npm >/dev/null; then
  packages+=(nodejs npm)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
    missing+=("$p")
  fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

echo "install-deps: installing ${#missing[@]} package(s): ${missing[*]}"
sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then
  sudo_cmd=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [[ $node_major -lt 18 ]]; then
  echo "install-deps: Node.js >= 18 is needed to bundle the admin pages (found: $(node --version 2>/dev/null || echo none))" >&2
  exit 1
fi
echo "install-deps: done"
