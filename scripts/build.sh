#!/usr/bin/env bash
# Configures and builds the project with CMake + Ninja.
#   scripts/build.sh [BUILD_DIR] [extra cmake args...]
# Defaults: build/ in Release.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=${1:-"$root/build"}
shift || true
jobs=${ERP_BUILD_JOBS:-$(nproc)}
cmake -S "$root" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=${ERP_BUILD_TYPE:-Release} "$@" >/dev/null
ninja -C "$build_dir" -j "$jobs"
