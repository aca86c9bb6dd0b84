#!/usr/bin/env bash
# Runs every test of the solution. Does all set-up on a fresh machine (test tools, restore, build),
# then prints one line with the totals: "N passed, M failed[, K skipped]".
set -uo pipefail
cd "$(dirname "$0")"

bash scripts/install-test-deps.sh || exit 1

results="$(mktemp -d)"
trap 'rm -rf "$results"' EXIT

dotnet test Samsa.slnx \
  --logger "trx" \
  --logger "console;verbosity=minimal" \
  --results-directory "$results" \
  --blame-hang-timeout 10m
status=$?

passed=0; failed=0; skipped=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  get() { echo "$counters" | sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p"; }
  passed=$((passed + $(get passed)))
  failed=$((failed + $(get failed) + $(get error) + $(get timeout) + $(get aborted)))
  skipped=$((skipped + $(get notExecuted)))
done

if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  # The run failed without a failed test (build error, crashed test host): count it as a failure.
  failed=1
fi

line="$passed passed, $failed failed"
[ "$skipped" -gt 0 ] && line="$line, $skipped skipped"
echo "$line"
exit "$status"
