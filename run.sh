#!/usr/bin/env bash
# Runs the reference service (Samsa.EventService) in Development. Without KAFKA_BOOTSTRAP_SERVERS
# it starts an embedded Samsa.Broker and says so; set KAFKA_* variables to use a real cluster.
set -euo pipefail
cd "$(dirname "$0")"
export ASPNETCORE_ENVIRONMENT="${ASPNETCORE_ENVIRONMENT:-Development}"
exec dotnet run --project src/Samsa.EventService -- "$@"
