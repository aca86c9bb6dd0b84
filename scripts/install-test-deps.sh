#!/usr/bin/env bash
# Installs what the test suite needs beyond the .NET SDK: kcat and kafka-python (Debian's
# python3-kafka, for /usr/bin/python3) to run real non-.NET clients against Samsa.Broker, and
# Burrow with the ZooKeeper it needs for its lock (and the Java that ZooKeeper runs on) to check
# that a lag tool reading __consumer_offsets sees the commits; node and kafkajs (pinned in
# tests/Samsa.Broker.Tests/Clients/node, installed there with npm ci) for a JavaScript client;
# promtool (Debian's prometheus) to validate the alert rules under docs/monitoring/;
# python3-confluent-kafka (Debian's, on librdkafka 2.0.2) for the chaos suite's restart scenario;
# chromium and chromium-driver (Debian's) for the operations console's browser tests (Selenium, headless).
# Idempotent: does nothing when they are already there.
set -euo pipefail

need=()
command -v kcat >/dev/null 2>&1 || need+=(kcat)
/usr/bin/python3 -c 'import kafka' >/dev/null 2>&1 || need+=(python3-kafka)
/usr/bin/python3 -c 'import confluent_kafka' >/dev/null 2>&1 || need+=(python3-confluent-kafka)
command -v Burrow >/dev/null 2>&1 || need+=(burrow)
[ -f /usr/share/java/zookeeper.jar ] && command -v java >/dev/null 2>&1 || need+=(zookeeper)
command -v npm >/dev/null 2>&1 || need+=(nodejs npm)
command -v promtool >/dev/null 2>&1 || need+=(prometheus)
dpkg -s chromium >/dev/null 2>&1 && [ -x /usr/bin/chromium ] || need+=(chromium)
dpkg -s chromium-driver >/dev/null 2>&1 && [ -x /usr/bin/chromedriver ] || need+=(chromium-driver)

install_kafkajs() {
  local dir
  dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/tests/Samsa.Broker.Tests/Clients/node"
  if [ ! -d "$dir/node_modules/kafkajs" ]; then
    echo "install-test-deps: npm ci in $dir"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  fi
}

if [ ${#need[@]} -eq 0 ]; then
  install_kafkajs
  exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
    echo "install-test-deps: need root (or sudo) to install: ${need[*]}" >&2
    exit 1
  fi
fi

echo "install-test-deps: installing ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq >/dev/null
$sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
install_kafkajs
