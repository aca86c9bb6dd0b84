#!/usr/bin/env bash
# Starts Samsa.Broker (a Kafka-wire-compatible broker for development and tests) in the background,
# waits until it accepts connections, and prints the bootstrap address on stdout.
#
#   scripts/start-kafka.sh [--port 9092] [--nodes 1] [--data-dir .samsa/data] [samsa broker start options...]
#
# Production always means a real Kafka cluster; this script is the seed's start_kafka_services.sh
# for machines without Docker or Kafka. Stop it with scripts/stop-kafka.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

port=9092
nodes=1
data_dir=".samsa/data"
extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --port) port="$2"; shift 2 ;;
    --nodes) nodes="$2"; shift 2 ;;
    --data-dir) data_dir="$2"; shift 2 ;;
    *) extra+=("$1"); shift ;;
  esac
done

state_dir=".samsa"
mkdir -p "$state_dir" "$data_dir"
pid_file="$state_dir/broker.pid"
log_file="$state_dir/broker.log"

if [ -f "$pid_file" ] && kill -0 "$(cat "$pid_file")" 2>/dev/null; then
  echo "Samsa.Broker is already running (pid $(cat "$pid_file")); stop it with scripts/stop-kafka.sh" >&2
  exit 1
fi

echo "Building samsa..." >&2
dotnet build src/Samsa.Cli -c Release -v quiet -nologo >&2
samsa="artifacts/bin/Samsa.Cli/release/samsa"
[ -n "${SAMSA_ARTIFACTS:-}" ] && samsa="$SAMSA_ARTIFACTS/bin/Samsa.Cli/release/samsa"

nohup "$samsa" broker start --port "$port" --nodes "$nodes" --data-dir "$data_dir" ${extra[@]+"${extra[@]}"} >"$log_file" 2>&1 &
echo $! >"$pid_file"

# Wait (bounded) until every node accepts TCP connections.
for _ in $(seq 1 100); do
  if ! kill -0 "$(cat "$pid_file")" 2>/dev/null; then
    echo "Samsa.Broker exited during start-up; see $log_file:" >&2
    tail -n 20 "$log_file" >&2
    exit 1
  fi
  ready=1
  for ((i = 0; i < nodes; i++)); do
    (exec 3<>"/dev/tcp/127.0.0.1/$((port + i))") 2>/dev/null || ready=0
  done
  if [ "$ready" -eq 1 ]; then
    bootstrap=$(for ((i = 0; i < nodes; i++)); do printf '127.0.0.1:%s\n' $((port + i)); done | paste -sd, -)
    echo "Samsa.Broker is up (pid $(cat "$pid_file"), log $log_file)." >&2
    echo "$bootstrap"
    exit 0
  fi
  sleep 0.2
done

echo "Samsa.Broker did not accept connections within 20 s; see $log_file" >&2
exit 1
