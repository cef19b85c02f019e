#!/usr/bin/env bash
# Load test: builds the wizard, starts it on a free loopback port, drives the start, a question and
# a result page with wrk (256 connections, 30 s by default), and fails on any socket error or any
# non-2xx response. Prints requests/s, latency percentiles and the server's peak RSS.
#
#   scripts/load.sh                 # 256 connections, 30 s
#   CONNECTIONS=64 DURATION=10s scripts/load.sh
#
# All traffic goes to 127.0.0.1 only; wrk stops by itself after DURATION.
set -euo pipefail
cd "$(dirname "$0")/.."

CONNECTIONS=${CONNECTIONS:-256}
DURATION=${DURATION:-30s}
THREADS=${THREADS:-2}

if ! command -v wrk >/dev/null 2>&1; then
  echo "wrk not found; installing it from Debian's packages" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
fi

work=$(mktemp -d)
trap 'kill "${pid:-0}" 2>/dev/null || true; rm -rf "$work"' EXIT
go build -trimpath -o "$work/wizard" ./cmd/wizard
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
ADDR=127.0.0.1:$port LOG_LEVEL=warn "$work/wizard" >"$work/server.log" 2>&1 &
pid=$!
for _ in $(seq 100); do curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.05; done

# One wrk run cycles through the three pages; the Lua script counts non-2xx itself, because wrk's
# own counter lets 3xx pass.
cat >"$work/pages.lua" <<'LUA'
local paths = {
  "/",
  "/q/seo?build=site&logic=simple&v=3",
  "/result?build=platform&logic=complex&growth=monolith&seo=critical&render=mixed&api=public&realtime=some&team=fullstack&share=yes&quality=helpful&v=3",
}
local threads = {}
setup = function(thread)
  table.insert(threads, thread)
end
init = function()
  i = 0
  bad = 0
end
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
response = function(status)
  if status < 200 or status > 299 then bad = bad + 1 end
end
-- done runs in its own Lua state: collect each thread's count.
done = function(summary, latency)
  local total = 0
  for _, t in ipairs(threads) do total = total + t:get("bad") end
  io.write(string.format("non2xx %d\n", total))
  for _, p in ipairs({50, 90, 99}) do
    io.write(string.format("p%d_ms %.3f\n", p, latency:percentile(p) / 1000))
  end
end
LUA
wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s "$work/pages.lua" "http://127.0.0.1:$port" | tee "$work/wrk.txt"

rss_kb=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
echo
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "peak RSS of the wizard: $((rss_kb / 1024)) MB"

fail=0
if grep -q "Socket errors" "$work/wrk.txt"; then echo "FAIL: socket errors" >&2; fail=1; fi
if grep -q "Non-2xx or 3xx responses" "$work/wrk.txt"; then echo "FAIL: non-2xx/3xx responses" >&2; fail=1; fi
if grep -E '^non2xx [1-9]' "$work/wrk.txt" >/dev/null; then echo "FAIL: non-2xx responses" >&2; fail=1; fi
exit $fail
