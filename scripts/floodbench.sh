#!/usr/bin/env bash
# Flood benchmark: does a flood of never-seen URLs slow the pages everyone else gets? For each
# wizard binary, in one run: a cached result page alone (wrk -t1 -c4), then the same page while
# 32 connections ask for result pages never seen before, then while they ask for never-seen team
# pages of eight members (scripts/never-seen.lua). Prints each phase's requests/s and p99 with its
# ratio to the quiet run, the cached page's errors, and the flood's own pages/s; given a second
# binary, the ratio of never-seen result pages/s between the two. See docs/benchmarks.md.
#
#   scripts/floodbench.sh                 # this tree's wizard
#   scripts/floodbench.sh 6ea7a2d         # and a commit's, built from git, run first
#   scripts/floodbench.sh /path/to/wizard # and any other wizard binary
#   D=20 ROUNDS=2 scripts/floodbench.sh 6ea7a2d   # 20 s phases, each binary twice, interleaved
#
# Servers and wrk share every CPU (no pinning), as on a small host. The wizard runs as shipped
# with the memory settings of the Dockerfile; set METRICS_ADDR=127.0.0.1:0 to run it with metrics.
# Everything listens on 127.0.0.1 only, every wrk run stops by itself, and each is bounded by
# timeout.
set -euo pipefail
cd "$(dirname "$0")/.."
D=${D:-10}
ROUNDS=${ROUNDS:-1}
CONNS=${CONNS:-32}

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

go build -trimpath -o "$work/new" ./cmd/wizard
names=(new)
label_new="$(git rev-parse --short HEAD 2>/dev/null || echo tree)$( [[ -n "$(git status --porcelain 2>/dev/null)" ]] && echo '+changes' || true)"
label_old=""
if [[ $# -gt 0 ]]; then
  if [[ -f "$1" && -x "$1" ]]; then
    cp "$1" "$work/old"
    label_old=$(basename "$1")
  else
    mkdir "$work/src"
    git archive "$1" | tar -x -C "$work/src"
    (cd "$work/src" && go build -trimpath -o "$work/old" ./cmd/wizard)
    label_old=$(git rev-parse --short "$1")
  fi
  names=(old new)
fi

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
cached="/result?build=platform&logic=complex&growth=monolith&seo=critical&render=mixed&api=public&realtime=some&team=fullstack&share=yes&quality=helpful&v=3"
accept="Accept-Encoding: br, gzip"

# stats FILE: requests/s, p99 in ms, and errors: responses other than 200 (never-seen.lua counts
# them, redirects included; wrk alone counts those outside 2xx and 3xx) plus socket errors.
stats() {
  awk '
    /Requests\/sec:/ { rps = $2 }
    $1 == "99%" { v = $2; u = v; sub(/[0-9.]+/, "", u); sub(/[a-z]+$/, "", v)
      p99 = (u == "us") ? v / 1000 : (u == "s") ? v * 1000 : (u == "m") ? v * 60000 : v }
    /Non-2xx or 3xx responses:/ { non2xx = $5 }
    /^Not 200:/ { counted = 1; not200 = $3 }
    /Socket errors:/ { gsub(/,/, ""); sock = $4 + $6 + $8 + $10 }
    END { printf "%.0f %.2f %d\n", rps, p99, sock + (counted ? not200 : non2xx) }' "$1"
}

echo "commit: $label_new${label_old:+, against $label_old}"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(go version | cut -d' ' -f3), $(date -u +%Y-%m-%dT%H:%MZ), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "wrk: cached page -t1 -c4 -d${D}s; flood -t1 -c$CONNS; Accept-Encoding: br, gzip"
echo
echo "| binary | phase | cached req/s | × quiet | cached p99 ms | × quiet | cached errors | flood pages/s | flood errors | peak RSS MiB |"
echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"

declare -A flood_result
run_one() { # name round
  local name=$1 round=$2 port pid label
  label=$label_new
  [[ $name == old ]] && label=$label_old
  port=$(free_port)
  ADDR=127.0.0.1:$port PUBLIC_URL= GOGC=400 GOMEMLIMIT=96MiB "$work/$name" >"$work/$name.log" 2>&1 &
  pid=$!
  pids+=("$pid")
  for _ in $(seq 100); do curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break; sleep 0.05; done
  base="http://127.0.0.1:$port"
  for i in 1 2 3; do curl -fsS -o /dev/null -H "$accept" "$base$cached"; done # built, then compressed well
  timeout $((D + 30)) wrk -t1 -c4 -d"${D}s" --latency -H "$accept" "$base$cached" >"$work/quiet"
  read -r q_rps q_p99 q_err < <(stats "$work/quiet")
  printf '| %s | quiet | %s | 1 | %s | 1 | %s | | | |\n' "$label" "$q_rps" "$q_p99" "$q_err"
  for kind in result team; do
    timeout $((D + 32)) wrk -t1 -c"$CONNS" -d"$((D + 2))s" --latency -s scripts/never-seen.lua "$base" -- "$kind" "$RANDOM$RANDOM" >"$work/flood" &
    local flood=$!
    sleep 1
    timeout $((D + 30)) wrk -t1 -c4 -d"${D}s" --latency -H "$accept" "$base$cached" >"$work/under"
    wait "$flood"
    read -r u_rps u_p99 u_err < <(stats "$work/under")
    read -r f_rps f_p99 f_err < <(stats "$work/flood")
    [[ $kind == result ]] && flood_result[$name.$round]=$f_rps
    rss=$(awk '/VmHWM/ { printf "%.1f", $2 / 1024 }' "/proc/$pid/status")
    printf '| %s | %s flood | %s | %.2f | %s | %.2f | %s | %s | %s | %s |\n' "$label" "$kind" "$u_rps" \
      "$(echo "$u_rps / $q_rps" | bc -l)" "$u_p99" "$(echo "$u_p99 / $q_p99" | bc -l)" "$u_err" "$f_rps" "$f_err" "$rss"
  done
  kill "$pid"
  wait "$pid" 2>/dev/null || true
}

for round in $(seq "$ROUNDS"); do
  for name in "${names[@]}"; do run_one "$name" "$round"; done
done
if [[ ${#names[@]} -eq 2 ]]; then
  echo
  for round in $(seq "$ROUNDS"); do
    printf 'round %s: never-seen result pages/s, %s / %s: %.2f×\n' "$round" "$label_new" "$label_old" \
      "$(echo "${flood_result[new.$round]} / ${flood_result[old.$round]}" | bc -l)"
  done
fi
