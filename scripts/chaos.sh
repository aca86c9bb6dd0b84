#!/usr/bin/env bash
# The fault suite (tests/Samsa.Chaos.Tests): broker kill -9/restart cycles, consumer workers killed
# with kill -9 (at least once, exactly once), the EventService killed with kill -9 under concurrent
# POSTs, wire fuzzing, the EventService's HTTP surface, a soak with rebalances and node restarts that
# measures the broker process's memory, handles and threads. Short mode by default (what ./test.sh runs,
# a few minutes); --long runs the same scenarios at full size (100 broker kill cycles with a CPU hog, 30
# worker and service kills, 10^6 mutated frames per listener, a 10-minute soak).
# Prints one line per scenario and a final "N passed, M failed". Extra arguments go to dotnet test
# (e.g. --filter "FullyQualifiedName~BrokerKill"). SAMSA_CHAOS_SEED=N repeats a run's random choices.
set -uo pipefail
cd "$(dirname "$0")/.."

mode=short
args=()
for arg in "$@"; do
  case "$arg" in
    --long) mode=long ;;
    *) args+=("$arg") ;;
  esac
done

results="$(mktemp -d)"
trap 'rm -rf "$results"' EXIT
export SAMSA_CHAOS_LONG=$([ "$mode" = long ] && echo 1 || echo 0)
echo "chaos: $mode mode"

dotnet test tests/Samsa.Chaos.Tests \
  --logger "trx;LogFileName=chaos.trx" \
  --results-directory "$results" \
  --blame-hang-timeout 30m \
  "${args[@]}" >"$results/console.log" 2>&1
status=$?

trx="$results/chaos.trx"
if [ ! -f "$trx" ]; then
  tail -n 40 "$results/console.log"
  echo "0 passed, 1 failed"
  exit 1
fi

# One line per scenario: outcome, duration, name, and the scenario's own summary line when it printed one.
python3 - "$trx" <<'PY'
import sys, xml.etree.ElementTree as ET
ns = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
root = ET.parse(sys.argv[1]).getroot()
passed = failed = 0
for r in root.iterfind(".//t:UnitTestResult", ns):
    outcome = r.get("outcome")
    name = r.get("testName").replace("Samsa.Chaos.Tests.", "")
    duration = r.get("duration", "")[:8]
    out = r.find("t:Output/t:StdOut", ns)
    summary = (out.text or "").strip().splitlines()[0] if out is not None and out.text else ""
    print(f"{'PASS' if outcome == 'Passed' else 'FAIL'}  {duration}  {name}" + (f"  -- {summary}" if summary else ""))
    if outcome == "Passed":
        passed += 1
    else:
        failed += 1
        msg = r.find("t:Output/t:ErrorInfo/t:Message", ns)
        if msg is not None and msg.text:
            print("      " + "\n      ".join(msg.text.strip().splitlines()[:8]))
print(f"{passed} passed, {failed} failed")
PY
exit $status
