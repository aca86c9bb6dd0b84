#!/usr/bin/env bash
# Runs every benchmark suite of bench/Samsa.Benchmarks and prints one summary of their ratios.
#
#   bench/run.sh [--quick] [--only=suite,suite…]
#
# Builds Release once (the benchmarks, the samsa CLI and Samsa.EventService), then runs the suites one after the other:
# broker-throughput, publish, consume, record-batch (BenchmarkDotNet), test-cluster, http-publish, end-to-end, group
# (BenchmarkDotNet), fetch-session (BenchmarkDotNet), telemetry-recording (BenchmarkDotNet). The BenchmarkDotNet suites
# run in this process (their own configs, or --inProcess): on a busy machine, building a separate executable can pass
# BenchmarkDotNet's 2-minute build limit. Every harness prints `RESULT suite=… case=… metric=… ratio=…
# target=…` lines (a ratio against a baseline measured in the same run); the summary at the end lists them all with met / missed against their target
# (n/a where no goal is set). --quick shortens every suite (fewer messages, rounds and iterations) so the whole run
# takes well under 10 minutes on 2 cores; its figures are noisier. Each suite's full output is kept in a log directory
# printed at the end. The load average is printed at the start and at the end: ratios from a loaded machine are noisy.
#
# Not run here: the consume suite's I/O-bound cases (a handler waiting 50 µs per call on a simulated device; the plain
# baseline alone takes minutes at full scale). Run them on their own, after a Release build:
#   dotnet artifacts/bin/Samsa.Benchmarks/release/Samsa.Benchmarks.dll consume --scale=0.1 --rounds=3 \
#     --cases=plain-50us,samsa-50us,samsa-keyed-50us,samsa-batch-50us
set -uo pipefail
cd "$(dirname "$0")/.."

quick=0
only=""
for arg in "$@"; do
  case "$arg" in
    --quick) quick=1 ;;
    --only=*) only="${arg#--only=}" ;;
    -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown argument: $arg (expected --quick, --only=suite,…)" >&2; exit 2 ;;
  esac
done

load() { cut -d' ' -f1-3 /proc/loadavg; }
started=$(date +%s)
echo "load average at start: $(load) ($(nproc) cores)"

artifacts="${SAMSA_ARTIFACTS:-artifacts}"
logs="$artifacts/bench-run/$(date +%Y%m%d-%H%M%S)"
mkdir -p "$logs"

echo "building Release…"
if ! dotnet build -c Release bench/Samsa.Benchmarks -nologo -v quiet > "$logs/build.log" 2>&1; then
  tail -n 30 "$logs/build.log"
  echo "build failed (full log: $logs/build.log)" >&2
  exit 1
fi
dll="$artifacts/bin/Samsa.Benchmarks/release/Samsa.Benchmarks.dll"

# name | quick arguments | full arguments
suites=(
  "broker-throughput|broker-throughput --scale=0.05 --brokers=memory,disk|broker-throughput"
  "publish|publish --rounds=3 --messages=20000|publish"
  "consume|consume --scale=0.1 --rounds=1|consume"
  "record-batch|--filter *RecordBatch* --job short --inProcess|--filter *RecordBatch* --inProcess"
  "test-cluster|test-cluster --runs=5|test-cluster --runs=30"
  "http-publish|http-publish --rounds=2 --seconds=1.5 --warmup=0.5|http-publish"
  "end-to-end|end-to-end --seconds=2 --rounds=2 --warmup=1|end-to-end"
  "group|--filter *GroupBenchmarks*|--filter *GroupBenchmarks*"
  "fetch-session|--filter *FetchSessionBenchmarks*|--filter *FetchSessionBenchmarks*"
  "telemetry-recording|--filter *TelemetryRecording* --job short --inProcess|--filter *TelemetryRecording* --inProcess"
)
limit=$([ "$quick" = 1 ] && echo 600 || echo 7200)

status_lines=()
failed=0
for entry in "${suites[@]}"; do
  IFS='|' read -r name quick_args full_args <<< "$entry"
  if [ -n "$only" ] && [[ ",$only," != *",$name,"* ]]; then
    continue
  fi

  args=$([ "$quick" = 1 ] && echo "$quick_args" || echo "$full_args")
  case "$name" in
    record-batch|group|fetch-session|telemetry-recording) args="$args --artifacts $logs/$name-bdn" ;;
  esac

  echo
  echo "=== $name: dotnet Samsa.Benchmarks.dll $args (load $(load))"
  suite_started=$(date +%s)
  # shellcheck disable=SC2086 # the arguments are meant to split; the filters' globs are quoted by set -f below
  (set -f; SAMSA_BENCH_QUICK=$quick timeout --kill-after=30 "$limit" dotnet "$dll" $args) > "$logs/$name.log" 2>&1
  code=$?
  grep -h '^RESULT ' "$logs/$name.log" >> "$logs/results.txt"
  seconds=$(( $(date +%s) - suite_started ))
  grep -E '^(\| |Samsa/raw|samsa / )' "$logs/$name.log" | tail -n 40
  if [ "$code" -ne 0 ]; then
    failed=$((failed + 1))
    tail -n 20 "$logs/$name.log"
    status_lines+=("$name: FAILED (exit $code) after ${seconds}s")
  else
    status_lines+=("$name: ok in ${seconds}s, $(grep -c '^RESULT ' "$logs/$name.log") ratios")
  fi
done

echo
echo "=== suites"
printf '%s\n' "${status_lines[@]}"
echo
echo "=== summary (ratio: Samsa against the baseline of the same run; for times, latencies and CPU lower is better, for rates higher)"
touch "$logs/results.txt"
awk '
  function field(name,   i, kv) {
    for (i = 2; i <= NF; i++) { split($i, kv, "="); if (kv[1] == name) return substr($i, length(name) + 2) }
    return ""
  }
  BEGIN { printf "%-18s %-58s %-16s %8s %8s  %s\n", "suite", "case", "metric", "ratio", "target", "verdict" }
  {
    suite = field("suite"); c = field("case"); metric = field("metric"); ratio = field("ratio"); target = field("target")
    verdict = "n/a"
    if (target ~ /^>=/) { verdict = (ratio + 0 >= substr(target, 3) + 0) ? "met" : "MISSED" }
    else if (target ~ /^<=/) { verdict = (ratio + 0 <= substr(target, 3) + 0) ? "met" : "MISSED" }
    if (verdict == "met") met++; else if (verdict == "MISSED") missed++
    printf "%-18s %-58s %-16s %8s %8s  %s\n", suite, c, metric, ratio, target, verdict
  }
  END { printf "\ntargets: %d met, %d missed\n", met, missed }' "$logs/results.txt"

total=$(( $(date +%s) - started ))
echo
echo "load average at end: $(load) ($(nproc) cores)"
echo "total time: $((total / 60))m $((total % 60))s$([ "$quick" = 1 ] && echo ' (quick)'); logs: $logs"
[ "$failed" -eq 0 ]
