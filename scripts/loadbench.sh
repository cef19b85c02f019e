#!/usr/bin/env bash
# Load benchmark, side by side: builds the wizard and cmd/loadbench, then runs the wizard binary
# and a plain net/http "floor" server (for each URL, the same bytes from memory) on free loopback
# ports and drives them alternately with wrk. Prints a Markdown table (requests/s, p50, p99, ratio
# to the floor, CPU per request) plus start-up time and peak RSS. See docs/benchmarks.md.
#
#   scripts/loadbench.sh                         # wrk -c64 -d10s, identity and br; servers on CPU 0, wrk on the rest
#   scripts/loadbench.sh -pin=false              # all of them on all CPUs (wrk -t2)
#   scripts/loadbench.sh -d 30s -rounds 3        # any cmd/loadbench flag passes through
#   scripts/loadbench.sh -codings identity       # wrk's default: no Accept-Encoding
#   METRICS=off scripts/loadbench.sh             # the wizard's settings pass through the environment
#   BASELINE=HEAD~1 scripts/loadbench.sh -codings= -rounds 5   # the mix only, this tree against an older commit
#
# BASELINE=REV also builds the wizard of commit REV (from git archive: nothing is checked out)
# and measures it in the same rounds as this tree's, next to the same floor (which serves this
# tree's bytes): each round runs the floor, then both wizards, starting with a different one.
#
# All traffic goes to 127.0.0.1 only; every wrk run stops by itself, and loadbench gives up after
# -timeout (15 minutes by default).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v wrk >/dev/null 2>&1; then
  echo "wrk not found; installing it from Debian's packages" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -trimpath -o "$work/wizard" ./cmd/wizard
go build -trimpath -o "$work/loadbench" ./cmd/loadbench
wizards=$work/wizard
if [[ -n "${BASELINE:-}" ]]; then
  rev=$(git rev-parse --short "$BASELINE^{commit}")
  mkdir "$work/base"
  git archive "$rev" | tar -x -C "$work/base"
  (cd "$work/base" && go build -trimpath -o "$work/wizard-$rev" ./cmd/wizard)
  wizards+=",$work/wizard-$rev"
  echo "baseline: wizard-$rev ($(git log -1 --format=%s "$rev" | cut -c1-80))"
fi

echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$( [[ -n "$(git status --porcelain 2>/dev/null)" ]] && echo ' with uncommitted work')"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(go version | cut -d' ' -f3), $(date -u +%Y-%m-%dT%H:%MZ)"
"$work/loadbench" -wizard "$wizards" "$@"
