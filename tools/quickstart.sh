#!/usr/bin/env bash
# README's first command: set everything up, then run the main job on the
# embedded demo data (train stage 3 briefly on CPU, test, report).
# Usage: bash tools/quickstart.sh [--wheels DIR]
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
install_args=()
while [ $# -gt 0 ]; do
    case "$1" in
        --wheels) install_args+=(--wheels "$2"); shift 2 ;;
        *) echo "usage: bash tools/quickstart.sh [--wheels DIR]" >&2; exit 2 ;;
    esac
done
cd "$REPO"
bash tools/install.sh "${install_args[@]}"
# shellcheck source=tools/env.sh
source tools/env.sh
"$C2M_PY" tools/make_demo_data.py --out data/demo
# stage 1 (teacher) -> stage 2 (student) -> stage 3 (restoration), each
# taking the previous stage's checkpoint named in its config
"$C2M_PY" tools/train.py configs/c2matching/c2matching-teacher_demo.py
"$C2M_PY" tools/train.py configs/c2matching/c2matching-student_demo.py
"$C2M_PY" tools/train.py configs/c2matching/c2matching-rec_demo.py
WORK_DIR=work_dirs/c2matching-rec_demo
CKPT="$(cat "$WORK_DIR/last_checkpoint")"
"$C2M_PY" tools/test.py configs/c2matching/c2matching-rec_demo.py "$CKPT" --work-dir "$WORK_DIR"
echo "[quickstart] stage checkpoints: work_dirs/c2matching-{teacher,student,rec}_demo/"
echo "[quickstart] test logs and results: $WORK_DIR"
