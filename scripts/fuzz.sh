#!/usr/bin/env bash
# Fuzzes every native fuzz target in package decision for FUZZTIME each (default 20s; any
# -fuzztime value works, e.g. 30s or 5000x), one after the other. Each run first replays the
# committed seed corpus (f.Add seeds and decision/testdata/fuzz/<Target>/). A failing target is
# reported with where Go wrote the failing input and how to re-run it; the remaining targets still
# run, and the script then exits non-zero.
#
#   bash scripts/fuzz.sh                 # 20s per target
#   FUZZTIME=30s bash scripts/fuzz.sh
set -euo pipefail
cd "$(dirname "$0")/.."

FUZZTIME="${FUZZTIME:-20s}"
PKG=./decision/
PKGDIR=decision

targets=$(go test "$PKG" -list '^Fuzz' | grep -E '^Fuzz[A-Za-z0-9_]*$' || true)
if [[ -z "$targets" ]]; then
  echo "FAIL: no fuzz targets found in $PKG (or the package does not build)" >&2
  exit 1
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT
failed=()

# report explains a failed run of target $1 from its output in $log.
report() {
  local target=$1 written name seeds
  printf '\nFAIL: %s\n' "$target"
  # Go writes a new failing input under the package's testdata/fuzz and says so.
  written=$(sed -n 's/.*Failing input written to \(testdata\/fuzz\/[^ ]*\).*/\1/p' "$log" | tail -n 1)
  if [[ -n "$written" ]]; then
    name=${written##*/}
    echo "Failing input written to $PKGDIR/$written:"
    sed 's/^/    /' "$PKGDIR/$written" || true
    echo "Re-run it:  go test $PKG -run='^${target}/${name}\$' -v"
    echo "Commit the file with the fix: it stays in the seed corpus as a regression test."
    return
  fi
  # No new input: a committed seed failed, or the test did not build.
  seeds=$({
    sed -n 's/.*failure while testing seed corpus entry: \([^ ]*\).*/\1/p' "$log"
    grep -oE -- "--- FAIL: ${target}/[^ ]+" "$log" | sed 's/--- FAIL: //' || true
  } | sort -u)
  echo "No new input was written: a committed seed failed (or the build did). Failing seeds:"
  if [[ -n "$seeds" ]]; then
    printf '%s\n' "$seeds" | sed 's/^/    /'
  else
    echo "    (none named; see the output above)"
  fi
  echo "Seed corpus: $PKGDIR/testdata/fuzz/$target/ and the f.Add calls in $PKGDIR/fuzz_test.go"
  echo "Re-run the seeds:  go test $PKG -run='^${target}\$' -v"
}

for target in $targets; do
  printf '\n==> %s for %s\n' "$target" "$FUZZTIME"
  if ! go test "$PKG" -run='^$' -fuzz="^${target}\$" -fuzztime="$FUZZTIME" 2>&1 | tee "$log"; then
    report "$target" >&2
    failed+=("$target")
  fi
done

if ((${#failed[@]} > 0)); then
  printf '\nFUZZ FAILED: %s\n' "${failed[*]}" >&2
  exit 1
fi
printf '\nOK: fuzzed %s for %s each\n' "$(echo $targets)" "$FUZZTIME"
