#!/usr/bin/env bash
# Load test of the JSON API on the demo city (SQLite): list and search
# systems as the coordinator and as an agency operator. Needs wrk.
# Usage: scripts/bench-api.sh [duration, default 10s]
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-10s}
work=$(mktemp -d)
server=""
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$work"' EXIT
go build -o "$work/khien" ./cmd/khien
"$work/khien" demo --data "$work/data" >/dev/null
# The whole city's list as a city-level viewer: roles that must enrol MFA
# (the coordinator) get no API token until they have.
"$work/khien" user create --data "$work/data" --email bench.city@demo.khien.vn --name "Bench" --role viewer --org ROOT >/dev/null
coordinator=$("$work/khien" token create --data "$work/data" --user bench.city@demo.khien.vn --name bench | tail -n 1)
operator=$("$work/khien" token create --data "$work/data" --user canbo.skhcn@demo.khien.vn --name bench | tail -n 1)
addr=127.0.0.1:18095
"$work/khien" serve --data "$work/data" --addr "$addr" >/dev/null 2>&1 &
server=$!
until curl -sf "http://$addr/healthz" >/dev/null; do sleep 0.1; done
run() {
  echo "== $1"
  wrk -t2 -c16 -d"$duration" -H "Authorization: Bearer $2" "http://$addr$3" | grep -E "Latency|Requests/sec"
}
run "city-level viewer lists 100 systems (whole city)" "$coordinator" "/api/v1/systems?limit=100"
run "operator searches its systems, no diacritics" "$operator" "/api/v1/systems?q=cong%20thong%20tin"
run "operator reads one system" "$operator" "/api/v1/systems/$(curl -s -H "Authorization: Bearer $operator" "http://$addr/api/v1/systems?limit=1" | sed -E 's/.*"items":\[\{"id":([0-9]+).*/\1/')"
echo "== health check"
wrk -t2 -c16 -d"$duration" "http://$addr/healthz" | grep -E "Latency|Requests/sec"
echo "peak RSS of the server (kB): $(grep VmHWM /proc/$server/status | awk '{print $2}')"
