#!/usr/bin/env bash
# Stops the Samsa.Broker started by scripts/start-kafka.sh (clean shutdown: in-flight requests finish, logs are flushed).
set -euo pipefail
cd "$(dirname "$0")/.."
pid_file=".samsa/broker.pid"
if [ ! -f "$pid_file" ] || ! kill -0 "$(cat "$pid_file")" 2>/dev/null; then
  echo "Samsa.Broker is not running." >&2
  rm -f "$pid_file"
  exit 0
fi
pid=$(cat "$pid_file")
kill -TERM "$pid"
for _ in $(seq 1 100); do
  kill -0 "$pid" 2>/dev/null || { rm -f "$pid_file"; echo "Samsa.Broker stopped." >&2; exit 0; }
  sleep 0.1
done
echo "Samsa.Broker (pid $pid) did not stop within 10 s; killing it." >&2
kill -KILL "$pid" || true
rm -f "$pid_file"
