#!/usr/bin/env bash
# Prometheus across replicas: two wizard replicas, each with /metrics on a METRICS_ADDR of its
# own, scraped by Prometheus (Debian's prometheus, run with deploy/prometheus/prometheus.yml and
# its recording rules, the targets set to the replicas' loopback ports). Visitors walk real
# journeys for a few seconds, each request to the next replica in turn (cmd/journeys funnel),
# and the script fails unless:
#   - promtool accepts each replica's /metrics, the config and its rules (and their unit test);
#   - Prometheus' HTTP API gives funnel totals summed over both replicas (starts, views and
#     answers by question, completions by outcome) equal to what the visitors did;
#   - every query of deploy/grafana/wizard.json answers, with data once rates can be taken.
#
#   scripts/prometheus-readback.sh
#   SECONDS_OF_TRAFFIC=10 scripts/prometheus-readback.sh
#
# Installs prometheus (with promtool) when missing. Everything listens on 127.0.0.1, on free
# ports, and stops by itself.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
SECONDS_OF_TRAFFIC=${SECONDS_OF_TRAFFIC:-5}

need prometheus prometheus
need curl curl

work=$(mktemp -d)
trap cleanup EXIT
go build -trimpath -o "$work/wizard" ./cmd/wizard
go build -trimpath -o "$work/journeys" ./cmd/journeys

port_a=$(free_port) port_b=$(free_port) metrics_a=$(free_port) metrics_b=$(free_port) prom=$(free_port)
public="PUBLIC_URL=http://127.0.0.1:$port_a"
start_replica a "$public"
start_replica b "$public"

# deploy/prometheus/prometheus.yml as it is, but for its targets: these replicas' metrics ports.
sed 's/^\(      - targets: \).*$/\1["127.0.0.1:'"$metrics_a"'", "127.0.0.1:'"$metrics_b"'"]/' \
  deploy/prometheus/prometheus.yml >"$work/prometheus.yml"
grep -q "127.0.0.1:$metrics_b" "$work/prometheus.yml" || { echo "FAIL: no targets line to set in prometheus.yml" >&2; exit 1; }
ln -s "$PWD/deploy/prometheus/wizard.rules.yml" "$work/wizard.rules.yml"
promtool check config "$work/prometheus.yml"
(cd deploy/prometheus && promtool test rules wizard.rules.test.yml)
for m in "$metrics_a" "$metrics_b"; do
  curl -fsS "http://127.0.0.1:$m/metrics" | promtool check metrics
done
echo "promtool: both replicas' /metrics, the config and the rules pass"

prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/tsdb" \
  --web.listen-address="127.0.0.1:$prom" --log.level=warn >>"$work/prometheus.log" 2>&1 &
pids+=($!)
wait_http "http://127.0.0.1:$prom/-/ready" 30
# The first scrape of both replicas, before any visitor: rates need a sample from before.
deadline=$((SECONDS + 30))
until curl -fsS "http://127.0.0.1:$prom/api/v1/query" --data-urlencode 'query=count(up{job="wizard"} == 1)' | grep -q '"value":\[[0-9.]*,"2"\]'; do
  ((SECONDS < deadline)) || { echo "FAIL: Prometheus did not scrape both replicas in 30 s" >&2; tail -5 "$work/prometheus.log" >&2; exit 1; }
  sleep 0.5
done

began=$SECONDS
"$work/journeys" funnel -target "http://127.0.0.1:$port_a,http://127.0.0.1:$port_b" -public "http://127.0.0.1:$port_a" \
  -visitors 40 -for "${SECONDS_OF_TRAFFIC}s" >"$work/sent.json"
echo "traffic: $(cat "$work/sent.json")"
echo "traffic took $((SECONDS - began)) s; reading back through Prometheus' HTTP API"
"$work/journeys" readback -prometheus "http://127.0.0.1:$prom" -expect "$work/sent.json" -dashboard deploy/grafana/wizard.json
echo "ok: Prometheus sums the funnel over both replicas exactly as sent, and the dashboard's queries all answer ($((SECONDS - began)) s)"
