#!/usr/bin/env bash
# Checks that every plugin library the build made — the staged plugins and the
# test plugins — exports exactly one symbol: erp_plugin_entry (ABI rule 1).
# libbad_no_entry.so is the deliberate exception (it must export no entry).
# Usage: scripts/check-exports.sh BUILD_DIR
set -euo pipefail
build_dir=${1:?usage: check-exports.sh BUILD_DIR}
status=0
count=0
for lib in "$build_dir"/plugins/*/*.so "$build_dir"/tests/plugins/*.so; do
  [[ -e "$lib" ]] || continue
  if [[ $(basename "$lib") == libbad_no_entry.so ]]; then
    continue
  fi
  count=$((count + 1))
  exported=$(nm -D --defined-only "$lib" | awk '$2 ~ /^[TDBRVWiu]$/ {print $3}' | sort)
  if [[ "$exported" != "erp_plugin_entry" ]]; then
    echo "check-exports: $lib exports more than erp_plugin_entry:" >&2
    echo "$exported" | sed 's/^/    /' >&2
    status=1
  else
    echo "check-exports: $(basename "$lib"): only erp_plugin_entry"
  fi
done
if [[ $count -eq 0 ]]; then
  echo "check-exports: no plugin libraries under $build_dir/plugins" >&2
  exit 1
fi
exit $status
