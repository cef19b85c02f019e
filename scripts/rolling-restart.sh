#!/usr/bin/env bash
# Rolling restart under load: two wizard replicas behind HAProxy (Debian's haproxy, run with
# deploy/haproxy/haproxy.cfg as it is), wrk driving HAProxy, and each replica in turn sent
# SIGTERM, started again and waited for until HAProxy has it back in rotation. Fails unless every
# request succeeded.
#
#   scripts/rolling-restart.sh                 # DRAIN_PERIOD=3s (the default), 20 s of load
#   DRAIN=0s scripts/rolling-restart.sh        # without the drain: shows requests failing
#   EXPECT=fail DRAIN=0s scripts/rolling-restart.sh   # ... and passes only if they do (CI)
#
# Installs wrk and haproxy when missing. Everything listens on 127.0.0.1, on free ports, and
# stops by itself (the whole run is bounded by `timeout`).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
DRAIN=${DRAIN:-3s}
DURATION=${DURATION:-20}
EXPECT=${EXPECT:-pass}

need wrk wrk
need haproxy haproxy
need curl curl

work=$(mktemp -d)
trap cleanup EXIT
go build -trimpath -o "$work/wizard" ./cmd/wizard

port_a=$(free_port) port_b=$(free_port) metrics_a=$(free_port) metrics_b=$(free_port)
lb=$(free_port) stats=$(free_port)
public="PUBLIC_URL=http://127.0.0.1:$lb"
start_replica a DRAIN_PERIOD="$DRAIN" "$public"
start_replica b DRAIN_PERIOD="$DRAIN" "$public"
start_haproxy "$lb" "$stats" "$port_a" "$port_b"
haproxy_wait wizard1 UP
haproxy_wait wizard2 UP

result="/result?build=platform&logic=complex&growth=monolith&seo=critical&render=mixed&api=public&realtime=some&team=fullstack&share=yes&quality=helpful&v=3"
cat >"$work/mix.lua" <<LUA
local paths = {"/", "/q/build?v=3", "$result", "/api/v1/result?${result#/result?}", "/embed/q/build?v=3"}
local i = 0
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
LUA
timeout $((DURATION + 30)) wrk -t2 -c32 -d"${DURATION}s" --timeout 5s -H "Accept-Encoding: br, gzip" \
  -s "$work/mix.lua" "http://127.0.0.1:$lb/" >"$work/wrk.out" 2>&1 &
load=$!
pids+=($load)
sleep 2
rolling_restart a:wizard1 b:wizard2 DRAIN_PERIOD="$DRAIN" "$public"
if ! kill -0 "$load" 2>/dev/null; then
  echo "FAIL: the restarts outlasted the load (DURATION=$DURATION s); nothing was measured after them" >&2
  exit 1
fi
wait "$load"

cat "$work/wrk.out"
# HAProxy's own count: responses it sent with a 5xx (503: no replica took the request, 502: a
# replica closed the connection), from its stats.
lb5xx=$(curl -fsS "$haproxy_stats;csv" | awk -F, '
  NR == 1 { for (i = 1; i <= NF; i++) if ($i == "hrsp_5xx") col = i }
  $1 == "wizard" && $2 == "FRONTEND" { print $col }')
requests=$(grep -oE '^ +[0-9]+ requests in' "$work/wrk.out" | grep -oE '[0-9]+')
bad=$(grep -oE 'Non-2xx or 3xx responses: [0-9]+' "$work/wrk.out" | grep -oE '[0-9]+$' || true)
sock=$(grep -E 'Socket errors' "$work/wrk.out" || true)
echo "rolling restart through HAProxy, drain $DRAIN: $requests requests, ${bad:-0} failed, ${sock:-no socket errors}; HAProxy sent ${lb5xx:-?} 5xx"
failed=0
[[ -n "$bad" || -n "$sock" || "$lb5xx" != "0" ]] && failed=1
if ((failed)); then
  grep -vE ' (CD|cD)--' "$work/haproxy.log" | head -10 >&2 || true
fi
case "$EXPECT:$failed" in
  pass:0) echo "ok: zero failed requests" ;;
  pass:1) echo "FAIL: requests failed during the rolling restart" >&2; exit 1 ;;
  fail:1) echo "ok: without the drain ($DRAIN) requests failed, as expected" ;;
  fail:0) echo "FAIL: expected failed requests without the drain ($DRAIN), got none" >&2; exit 1 ;;
esac
