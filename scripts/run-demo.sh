#!/usr/bin/env bash
# The main job, for a fresh Debian 12 machine: installs dependencies, builds,
# starts the local eMAG sandbox (http://127.0.0.1:8901/api-3, live order
# changes and new-order callbacks on) and runs erp-host with
# config/erp-host.example.toml — the eMAG plugin syncing the sandbox's orders
# and offers into embedded SQLite, and the C example plugin — on
# http://127.0.0.1:8080 until Ctrl-C. The first syncs start as soon as the
# host is up.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
"$root/scripts/install-deps.sh"
ERP_BUILD_TYPE=Release "$root/scripts/build.sh" "$root/build" -DERP_BUILD_TESTS=OFF -DERP_BUILD_BENCH=OFF

data="$root/build/demo-data"
mkdir -p "$data"
# The admin token guards write routes. Generated once, kept in a 0600 file.
if [[ ! -s "$data/admin-token" ]]; then
  (umask 077 && head -c 24 /dev/urandom | base64 | tr -d '/+=' > "$data/admin-token")
fi
# The demo account's password for the local eMAG sandbox (not a real secret).
export EMAG_DEMO_PASSWORD=${EMAG_DEMO_PASSWORD:-sandbox-demo-password}
# The token in the new-order callback URL the sandbox calls (like eMAG would).
if [[ ! -s "$data/emag-callback-token" ]]; then
  (umask 077 && head -c 24 /dev/urandom | base64 | tr -d '/+=' > "$data/emag-callback-token")
fi
EMAG_DEMO_CALLBACK_TOKEN=$(cat "$data/emag-callback-token")
export EMAG_DEMO_CALLBACK_TOKEN

# The eMAG sandbox the demo account talks to (the account in the example
# config: user demo-seller, password from EMAG_DEMO_PASSWORD).
sandbox_log="$data/emag-sandbox.log"
coproc SANDBOX { exec "$root/build/tests/emag_sandbox/emag-sandbox" --port 8901 --orders 5000 --offers 1000 \
  --account "demo-ro:demo-seller:$EMAG_DEMO_PASSWORD:ro" --mutation-rate 2 \
  --callback-url "http://127.0.0.1:8080/plugins/emag/callback/order?token=$EMAG_DEMO_CALLBACK_TOKEN" \
  --request-log "$data/emag-sandbox-requests.jsonl" 2>"$sandbox_log"; }
sandbox_pid=$SANDBOX_PID
trap 'kill "$sandbox_pid" 2>/dev/null || true; wait "$sandbox_pid" 2>/dev/null || true' EXIT
if ! read -r -t 60 ready <&"${SANDBOX[0]}"; then
  echo "run-demo: emag-sandbox did not start; see $sandbox_log" >&2
  exit 1
fi
echo "run-demo: $ready"

config="$root/config/erp-host.example.toml"
"$root/build/host_stub/erp-host" --config "$config" check-config
cat <<MSG

erp-host is starting on http://127.0.0.1:8080; the first order and offer
syncs start right away (then orders every 60 s, offers every hour).

  Admin pages: open http://127.0.0.1:8080/plugins/emag/ in a browser
  (dashboard with live sync progress, orders, quarantine, offers, customers,
  alerts and backups). Pages that change data or show customers ask once per
  browser session for the admin token, which is in $data/admin-token.

Or from a shell:
  curl -s http://127.0.0.1:8080/health
  curl -s http://127.0.0.1:8080/plugins/emag/api/status
  curl -s 'http://127.0.0.1:8080/plugins/emag/api/orders?account=demo-ro&per_page=5'
  curl -s 'http://127.0.0.1:8080/plugins/emag/api/quarantine?account=demo-ro'
  curl -s http://127.0.0.1:8080/metrics | grep emag_api_requests_total
  sqlite3 $data/erp.db 'SELECT type, status, COUNT(*) FROM emag_orders GROUP BY 1, 2'
  curl -s 'http://127.0.0.1:8080/plugins/emag/api/offers?account=demo-ro&per_page=5'
  curl -s -X POST -H "Authorization: Bearer \$(cat $data/admin-token)" -d '{"stock": 7}' 'http://127.0.0.1:8080/plugins/emag/api/offers/<offer_id>/stock?account=demo-ro'
  curl -s 'http://127.0.0.1:8080/plugins/emag/api/outbound?account=demo-ro'
  curl -s http://127.0.0.1:8080/metrics | grep -E '^emag_(window_error_ratio|health_score)'
  curl -s -H "Authorization: Bearer \$(cat $data/admin-token)" 'http://127.0.0.1:8080/plugins/emag/api/customers?sort=orders&per_page=5'
  curl -s -X POST -H "Authorization: Bearer \$(cat $data/admin-token)" http://127.0.0.1:8080/plugins/emag/api/backups
  curl -s -H "Authorization: Bearer \$(cat $data/admin-token)" 'http://127.0.0.1:8080/plugins/emag/api/alerts'
Live sync progress and alerts: a WebSocket on
ws://127.0.0.1:8080/ws?topics=emag.sync,emag.alerts (e.g. websocat). Tables: docs/schema.md. The admin token for write routes is
in $data/admin-token. Stop with Ctrl-C.

MSG
# Start the first sync as soon as the host answers (the schedule would wait
# its interval first).
(
  for _ in $(seq 1 600); do
    if curl -sf -o /dev/null http://127.0.0.1:8080/health; then
      curl -sf -o /dev/null -X POST -H "Authorization: Bearer $(cat "$data/admin-token")" \
        http://127.0.0.1:8080/api/jobs/emag.orders.sync/run && echo "run-demo: first order sync started"
      curl -sf -o /dev/null -X POST -H "Authorization: Bearer $(cat "$data/admin-token")" \
        http://127.0.0.1:8080/api/jobs/emag.offers.sync/run && echo "run-demo: first offer sync started"
      break
    fi
    sleep 0.2
  done
) &
"$root/build/host_stub/erp-host" --config "$config" serve
