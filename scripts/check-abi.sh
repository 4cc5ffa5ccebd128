#!/usr/bin/env bash
# Compares the plugin C ABI as built (plugin_api/abi/abi_probe.c, which makes
# every ABI type reachable) with the committed baseline using libabigail.
#   scripts/check-abi.sh BUILD_DIR            fail on any difference
#   scripts/check-abi.sh BUILD_DIR --update   rewrite the baseline (after a
#                                             deliberate, reviewed minor bump)
# Any difference fails: an incompatible one must never land, and a compatible
# one (fields appended in a minor version) needs the baseline updated in the
# same change, together with ERP_ABI_VERSION_MINOR.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=${1:?usage: check-abi.sh BUILD_DIR [--update]}
probe="$build_dir/plugin_api/abi/liberp_abi_probe.so"
baseline="$root/plugin_api/abi/erp_plugin_abi_v1.xml"
if [[ ! -f "$probe" ]]; then
  echo "check-abi: $probe not built" >&2
  exit 1
fi
if [[ "${2:-}" == "--update" ]]; then
  # No machine paths in the baseline: file names only, no build directory.
  abidw --no-corpus-path --short-locs --no-comp-dir-path --out-file "$baseline" "$probe"
  echo "check-abi: baseline rewritten: $baseline"
  exit 0
fi
if abidiff "$baseline" "$probe" >/tmp/check-abi.$$ 2>&1; then
  echo "check-abi: the C ABI matches the committed baseline"
  rm -f /tmp/check-abi.$$
  exit 0
fi
echo "check-abi: the C ABI differs from plugin_api/abi/erp_plugin_abi_v1.xml:" >&2
cat /tmp/check-abi.$$ >&2
rm -f /tmp/check-abi.$$
echo "check-abi: never reorder, retype or remove; if fields were appended on purpose, bump" >&2
echo "           ERP_ABI_VERSION_MINOR and run scripts/check-abi.sh BUILD_DIR --update" >&2
exit 1
