#!/usr/bin/env bash
# The project's test command: installs dependencies, starts a throw-away
# PostgreSQL for the tests, builds Release and runs every test with CTest, then
# builds the unit tests with ASan+UBSan and runs them too, and checks that each
# plugin exports only its entry symbol.
#
#   scripts/run-tests.sh            everything (what CI runs)
#   ERP_SKIP_SANITIZE=1 scripts/run-tests.sh   Release only (faster locally)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

ERP_WITH_BROWSER=1 "$root/scripts/install-deps.sh"

pg_dir=$(mktemp -d /tmp/erp-test-pg.XXXXXX)
chmod 755 "$pg_dir" # the server runs as postgres and must reach its data dir
cleanup() { "$root/scripts/pg-test-server.sh" stop "$pg_dir/data" || true; rm -rf "$pg_dir"; }
trap cleanup EXIT
ERP_TEST_PG_URL=$("$root/scripts/pg-test-server.sh" start "$pg_dir/data")
export ERP_TEST_PG_URL
echo "run-tests: PostgreSQL test server up ($ERP_TEST_PG_URL)"

echo "run-tests: Release build"
"$root/scripts/build.sh" "$root/build" -DERP_BUILD_TESTS=ON -DERP_BUILD_BENCH=ON -DERP_SANITIZE=OFF
echo "run-tests: checking plugin exports"
"$root/scripts/check-exports.sh" "$root/build"
echo "run-tests: checking the C ABI against its baseline"
"$root/scripts/check-abi.sh" "$root/build"
echo "run-tests: Release tests"
ctest --test-dir "$root/build" --output-on-failure -j 2

if [[ -z "${ERP_SKIP_SANITIZE:-}" ]]; then
  echo "run-tests: ASan+UBSan build of the tests"
  ERP_BUILD_TYPE=Debug "$root/scripts/build.sh" "$root/build-asan" -DERP_SANITIZE=ON -DERP_BUILD_TESTS=ON -DERP_BUILD_BENCH=OFF -DERP_BUILD_WEB=OFF
  echo "run-tests: ASan+UBSan tests"
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir "$root/build-asan" --output-on-failure -j 2
fi
echo "run-tests: all green"
