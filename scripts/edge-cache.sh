#!/usr/bin/env bash
# The wizard behind a real shared cache: Varnish (deploy/varnish/default.vcl) -> HAProxy
# (deploy/haproxy/haproxy.cfg) -> two replicas, with visitors walking real journeys
# (cmd/journeys: start, questions, results, decision records, preview cards, assets, the API,
# the embed with themes, a team) as clients with seven different Accept-Encoding headers.
# Fails unless:
#   - every response through the cache matches what a replica gives that client directly
#     (status, type, decoded body) in a coding the client accepts, brotli where it gives brotli;
#   - every ETag sent back through the cache gets a 304;
#   - on the repeat part (the same journeys by new visitors) Varnish's own counters show a hit
#     ratio of at least MIN_HIT_RATIO (95 %);
#   - after a content version bump (the replicas restarted one by one with the next version),
#     journeys move to the new version at their first answer and the start page follows when
#     its s-maxage runs out, with no purge (this part waits about a minute).
#
#   scripts/edge-cache.sh
#   GZIP_SUPPORT=off scripts/edge-cache.sh   # varnishd -p http_gzip_support=off: the VCL works either way
#   BUMP=no scripts/edge-cache.sh            # skip the version bump and its wait
#
# Installs varnish and haproxy when missing. Everything listens on 127.0.0.1, on free ports,
# and stops by itself.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
MIN_HIT_RATIO=${MIN_HIT_RATIO:-95}
GZIP_SUPPORT=${GZIP_SUPPORT:-on}
BUMP=${BUMP:-yes}

need varnishd varnish
need haproxy haproxy
need curl curl

work=$(mktemp -d)
trap cleanup EXIT
go build -trimpath -o "$work/wizard" ./cmd/wizard
go build -trimpath -o "$work/journeys" ./cmd/journeys

port_a=$(free_port) port_b=$(free_port) metrics_a=$(free_port) metrics_b=$(free_port)
lb=$(free_port) stats=$(free_port) edge=$(free_port)
public="PUBLIC_URL=http://127.0.0.1:$edge" # visitors reach the wizard through the cache
start_replica a "$public"
start_replica b "$public"
start_haproxy "$lb" "$stats" "$port_a" "$port_b"

# deploy/varnish/default.vcl as it is, but for the backend's port: HAProxy's here.
sed 's/^\(    \.port = "\)8080";$/\1'"$lb"'";/' deploy/varnish/default.vcl >"$work/default.vcl"
grep -q "\.port = \"$lb\";" "$work/default.vcl" || { echo "FAIL: no backend port to set in default.vcl" >&2; exit 1; }
# -j none: run as this user (the default jail switches to a user that cannot read $work).
varnishd -F -j none -n "$work/varnish" -a "127.0.0.1:$edge" -f "$work/default.vcl" -s malloc,64m \
  -p http_gzip_support="$GZIP_SUPPORT" >>"$work/varnish.log" 2>&1 &
pids+=($!)
wait_http "http://127.0.0.1:$edge/healthz" 20
counter() { varnishstat -n "$work/varnish" -1 -f "MAIN.$1" | awk '{print $2}'; }
snapshot() { for c in cache_hit cache_miss cache_hitmiss cache_hitpass s_pass cache_hit_grace; do printf '%s=%s ' "$c" "$(counter "$c")"; done; }

journeys() { "$work/journeys" "$1" -edge "http://127.0.0.1:$edge" -direct "http://127.0.0.1:$port_a,http://127.0.0.1:$port_b" "${@:2}"; }
echo "== first visitors (the cache fills), Varnish http_gzip_support=$GZIP_SUPPORT"
journeys edge
before=$(snapshot)
echo "== the same journeys by new visitors, each ETag sent back for a 304"
began=$SECONDS
journeys edge -revalidate
after=$(snapshot)
delta() { # name: the counter's growth over the repeat part
  local b a
  b=$(grep -oE "(^| )$1=[0-9]+" <<<"$before" | cut -d= -f2)
  a=$(grep -oE "(^| )$1=[0-9]+" <<<"$after" | cut -d= -f2)
  echo $((a - b))
}
hits=$(delta cache_hit) misses=$(delta cache_miss) passes=$(delta s_pass)
ratio=$(awk -v h="$hits" -v m="$misses" 'BEGIN { printf "%.2f", (h + m) ? 100 * h / (h + m) : 0 }')
echo "repeat part ($((SECONDS - began)) s), from varnishstat: $hits hits, $misses misses (hit-for-miss $(delta cache_hitmiss)), $passes passes (/next, by the VCL); hit ratio $ratio %"
if awk -v r="$ratio" -v min="$MIN_HIT_RATIO" 'BEGIN { exit !(r < min) }'; then
  echo "FAIL: hit ratio $ratio % on the repeat part, want at least $MIN_HIT_RATIO %" >&2
  exit 1
fi

if [[ $BUMP == yes ]]; then
  # The next version with no change of ids: a migration step from the current one ends the
  # migrations list (the first blank line after it).
  cur=$(awk '/^version: [0-9]+$/ { print $2; exit }' decision/content.yaml)
  next=$((cur + 1))
  echo "== content version bump: the replicas restarted one by one with content version $next"
  awk -v cur="$cur" -v nv="$next" '
    $0 == "version: " cur { print "version: " nv; next }
    /^migrations:$/ { inmig = 1 }
    inmig && /^$/ { print "  - from: " cur; inmig = 0 }
    { print }' decision/content.yaml >"$work/content-next.yaml"
  "$work/wizard" validate "$work/content-next.yaml"
  rolling_restart a:wizard1 b:wizard2 CONTENT_FILE="$work/content-next.yaml" "$public"
  journeys bump -version "$next"
fi
echo "ok: the edge cache serves every visitor their own variant, revalidates with 304s, hits $ratio % on repeat visits"
