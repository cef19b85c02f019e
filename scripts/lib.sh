# Shared by the scripts that run the wizard behind real servers (rolling-restart.sh,
# edge-cache.sh, prometheus-readback.sh). Source it after `set -euo pipefail` and `cd` to the
# repository; it defines functions and starts nothing. Everything it starts listens on 127.0.0.1.

# free_port prints a TCP port that is free on 127.0.0.1 now.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# need COMMAND PACKAGE installs PACKAGE from Debian's packages when COMMAND is missing. The
# package's maintainer scripts may not start its service (Debian's varnish and prometheus would
# listen on every interface, on fixed ports): a policy-rc.d that refuses is put in place for the
# install when the machine has none.
need() {
  command -v "$1" >/dev/null 2>&1 && return 0
  echo "$1 not found; installing $2 from Debian's packages" >&2
  local guard="" rc=0
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && guard=1
  fi
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$2" >/dev/null; } || rc=$?
  [[ -n $guard ]] && rm -f /usr/sbin/policy-rc.d
  return $rc
}

# Processes whose PIDs are in pids are stopped by cleanup (set as the EXIT trap by the script),
# which also removes "$work", after copying its logs to KEEP_LOGS when that names a directory.
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [[ -n ${work:-} ]]; then
    [[ -n ${KEEP_LOGS:-} ]] && mkdir -p "$KEEP_LOGS" && cp "$work"/*.log "$work"/*.out "$KEEP_LOGS"/ 2>/dev/null
    rm -rf "$work"
  fi
}

# wait_http URL [SECONDS] waits until URL answers 200 (10 s by default), or fails.
wait_http() {
  local deadline=$((SECONDS + ${2:-10}))
  until curl -fsS -o /dev/null "$1" 2>/dev/null; do
    ((SECONDS < deadline)) || { echo "FAIL: $1 did not answer 200 in ${2:-10} s" >&2; return 1; }
    sleep 0.05
  done
}

# Replicas: start_replica NAME [VAR=value...] starts "$work/wizard" as replica NAME on the port
# in port_NAME, with its metrics on metrics_NAME (issue 23 moves /metrics off the app port by
# default; every replica here names its own), logging to "$work/NAME.log", and waits for /readyz.
# Further settings (DRAIN_PERIOD, CONTENT_FILE, PUBLIC_URL) come as VAR=value arguments.
declare -A replica_pid
start_replica() {
  local name=$1 port_var=port_$1 metrics_var=metrics_$1
  shift
  env ADDR="127.0.0.1:${!port_var}" METRICS_ADDR="127.0.0.1:${!metrics_var}" LOG_LEVEL=warn "$@" \
    "$work/wizard" >>"$work/$name.log" 2>&1 &
  replica_pid[$name]=$!
  pids+=($!)
  wait_http "http://127.0.0.1:${!port_var}/readyz" || { tail -5 "$work/$name.log" >&2; return 1; }
}

# stop_replica NAME sends SIGTERM and waits for a clean exit (the drain, then shutdown).
stop_replica() {
  kill -TERM "${replica_pid[$1]}"
  wait "${replica_pid[$1]}" || { echo "FAIL: replica $1 exited with an error" >&2; tail -5 "$work/$1.log" >&2; return 1; }
}

# HAProxy from deploy/haproxy/haproxy.cfg, as it is: start_haproxy PORT STATS_PORT SERVER_PORT...
start_haproxy() {
  haproxy_stats="http://127.0.0.1:$2/stats"
  HAPROXY_BIND="127.0.0.1:$1" HAPROXY_STATS_BIND="127.0.0.1:$2" WIZARD_1="127.0.0.1:$3" WIZARD_2="127.0.0.1:$4" \
    haproxy -f deploy/haproxy/haproxy.cfg >>"$work/haproxy.log" 2>&1 &
  pids+=($!)
  haproxy_pid=$!
  wait_http "$haproxy_stats"
}

# haproxy_status SERVER prints what HAProxy thinks of a server now (UP, DOWN, "UP 1/2", ...).
haproxy_status() {
  curl -fsS "$haproxy_stats;csv" | awk -F, -v s="$1" '
    NR == 1 { for (i = 1; i <= NF; i++) if ($i == "status") col = i }
    $1 == "replicas" && $2 == s { print $col }'
}

# haproxy_wait SERVER STATUS [SECONDS] waits until HAProxy reports SERVER as STATUS, or fails.
haproxy_wait() {
  local deadline=$((SECONDS + ${3:-10}))
  until [[ "$(haproxy_status "$1")" == "$2" ]]; do
    ((SECONDS < deadline)) || { echo "FAIL: HAProxy did not see $1 $2 in ${3:-10} s (it says $(haproxy_status "$1"))" >&2; return 1; }
    sleep 0.1
  done
}

# rolling_restart NAME:SERVER... [VAR=value...] restarts each replica in turn: SIGTERM, a clean
# exit, start again with the settings given, then wait until HAProxy has it back UP before the
# next one goes, as a deployment does.
rolling_restart() {
  local targets=() settings=() t
  for t in "$@"; do if [[ $t == *=* ]]; then settings+=("$t"); else targets+=("$t"); fi; done
  for t in "${targets[@]}"; do
    local name=${t%%:*} server=${t#*:} started=$SECONDS
    echo "$(date +%T.%3N) SIGTERM to replica $name"
    stop_replica "$name"
    start_replica "$name" "${settings[@]}"
    haproxy_wait "$server" UP 15
    echo "$(date +%T.%3N) replica $name back UP in HAProxy, $((SECONDS - started)) s after SIGTERM"
  done
}
