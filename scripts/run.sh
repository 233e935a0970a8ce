#!/usr/bin/env bash
# Sets up the machine, builds the `sundial` binary and runs it on examples/prometheus.yaml.
# UI and API on http://localhost:9090; data in ./data. Extra arguments go to sundial.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
bash scripts/build.sh --target sundial
exec build/src/sundial --config.file=examples/prometheus.yaml --storage.tsdb.path=data/ \
  --web.enable-lifecycle "$@"
