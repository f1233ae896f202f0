#!/usr/bin/env bash
# README's first command: set everything up, then run the main job on the
# embedded demo data: the three training stages on the CPU, the test of the
# held-out images with their true and with unrelated references, a summary.
# Usage: bash tools/quickstart.sh [install.sh options, e.g. --wheels DIR]
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
bash tools/install.sh "$@"
# shellcheck source=tools/env.sh
source tools/env.sh
start=$(date +%s)
"$C2M_PY" tools/make_demo_data.py --out data/demo
# stage 1 (teacher) -> stage 2 (student) -> stage 3 (restoration), each
# taking the previous stage's checkpoint named in its config
for stage in teacher student rec; do
    "$C2M_PY" tools/train.py "configs/c2matching/c2matching-${stage}_demo.py"
done
WORK_DIR=work_dirs/c2matching-rec_demo
"$C2M_PY" tools/test.py configs/c2matching/c2matching-rec_demo.py \
    "$(cat "$WORK_DIR/last_checkpoint")" --work-dir "$WORK_DIR" \
    --save-sr "$WORK_DIR/sr"
"$C2M_PY" tools/demo_report.py --out work_dirs/quickstart
echo "[quickstart] stage checkpoints and logs: work_dirs/c2matching-{teacher,student,rec}_demo/"
echo "[quickstart] comparison images: $WORK_DIR/comparisons/; SR outputs: $WORK_DIR/sr/"
echo "[quickstart] demo run took $(( $(date +%s) - start )) s"
