#!/usr/bin/env bash
# Rolling restart under load: two wizard instances behind a small loopback proxy (cmd/loadbench
# -serve-proxy, which routes by /readyz as a load balancer does), wrk driving the proxy, and each
# instance in turn sent SIGTERM and started again. Fails unless every request succeeded.
#
#   scripts/rolling-restart.sh                 # DRAIN_PERIOD=3s (the default), 16 s of load
#   DRAIN=0s scripts/rolling-restart.sh        # without a drain, to see what it prevents
#
# Everything listens on 127.0.0.1 only and stops by itself.
set -euo pipefail
cd "$(dirname "$0")/.."
DRAIN=${DRAIN:-3s}
DURATION=${DURATION:-16}

if ! command -v wrk >/dev/null 2>&1; then
  echo "wrk not found; installing it from Debian's packages" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
fi

work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
go build -trimpath -o "$work/wizard" ./cmd/wizard
go build -trimpath -o "$work/loadbench" ./cmd/loadbench

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
pa=$(free_port); pb=$(free_port); pp=$(free_port)

declare -A inst
start() { # name port
  ADDR=127.0.0.1:$2 DRAIN_PERIOD=$DRAIN LOG_LEVEL=warn PUBLIC_URL=http://127.0.0.1:$pp "$work/wizard" >>"$work/$1.log" 2>&1 &
  inst[$1]=$!
  pids+=($!)
  for _ in $(seq 100); do
    curl -fsS "http://127.0.0.1:$2/readyz" >/dev/null 2>&1 && return 0
    sleep 0.05
  done
  echo "instance $1 did not become ready" >&2; exit 1
}
restart() { # name port
  local started=$SECONDS
  echo "SIGTERM to $1 at $(date +%T.%3N)"
  kill -TERM "${inst[$1]}"
  wait "${inst[$1]}" || { echo "instance $1 exited with an error" >&2; exit 1; }
  start "$1" "$2"
  echo "restarted $1 (drain $DRAIN) in $((SECONDS - started)) s, at $(date +%T.%3N)"
}

start a "$pa"
start b "$pb"
"$work/loadbench" -serve-proxy "127.0.0.1:$pp" "http://127.0.0.1:$pa" "http://127.0.0.1:$pb" >"$work/proxy.out" 2>"$work/proxy.err" &
proxy=$!
pids+=($proxy)
for _ in $(seq 100); do curl -fsS "http://127.0.0.1:$pp/healthz" >/dev/null 2>&1 && break; sleep 0.05; done

result="/result?build=platform&logic=complex&growth=monolith&seo=critical&render=mixed&api=public&realtime=some&team=fullstack&share=yes&quality=helpful&v=3"
cat >"$work/mix.lua" <<LUA
local paths = {"/", "/q/build?v=3", "$result", "/api/v1/result?${result#/result?}", "/embed/q/build?v=3"}
local i = 0
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
LUA
wrk -t2 -c32 -d"${DURATION}s" --timeout 5s -H "Accept-Encoding: br, gzip" -s "$work/mix.lua" "http://127.0.0.1:$pp/" >"$work/wrk.out" 2>&1 &
load=$!
sleep 2
restart a "$pa"
sleep 2 # the proxy checks readiness every 100 ms; give it time to see a back before b goes
restart b "$pb"
wait "$load"
kill -TERM "$proxy"; wait "$proxy" || true

cat "$work/wrk.out"
cat "$work/proxy.out"
requests=$(grep -oE '^ +[0-9]+ requests in' "$work/wrk.out" | grep -oE '[0-9]+')
bad=$(grep -oE 'Non-2xx or 3xx responses: [0-9]+' "$work/wrk.out" | grep -oE '[0-9]+$' || true)
sock=$(grep -E 'Socket errors' "$work/wrk.out" || true)
undelivered=$(grep -oE '[0-9]+ requests not delivered' "$work/proxy.out" | grep -oE '^[0-9]+' || echo "?")
echo "rolling restart, drain $DRAIN: $requests requests, ${bad:-0} failed, ${sock:-no socket errors}, proxy: $undelivered not delivered"
if [[ -n "$bad" || -n "$sock" || "$undelivered" != "0" ]]; then
  head -20 "$work/proxy.err" >&2
  echo "FAIL: requests failed during the rolling restart" >&2
  exit 1
fi
echo "ok: zero failed requests"
