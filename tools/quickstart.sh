#!/usr/bin/env bash
# README's first command: set everything up, then run the main job on the
# embedded demo data (tools/quickstart.py, one process): the three training
# stages on the CPU, the test of the held-out images with their true and with
# unrelated references, a summary; each step prints its time and what is left.
# Usage: bash tools/quickstart.sh [install.sh options, e.g. --wheels DIR]
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
start=$(date +%s)
bash tools/install.sh "$@"
echo "[quickstart] install check took $(( $(date +%s) - start )) s"
# shellcheck source=tools/env.sh
source tools/env.sh
"$C2M_PY" tools/quickstart.py
WORK_DIR=work_dirs/c2matching-rec_demo
echo "[quickstart] stage checkpoints and logs: work_dirs/c2matching-{teacher,student,rec}_demo/"
echo "[quickstart] comparison images: $WORK_DIR/comparisons/; SR outputs: $WORK_DIR/sr/"
echo "[quickstart] summary: work_dirs/quickstart/summary.md; everything took $(( $(date +%s) - start )) s"
