#!/usr/bin/env bash
# README's first command: set everything up, then run the main job on the
# embedded demo data (train stage 3 briefly on CPU, test, report).
# Usage: bash tools/quickstart.sh [--wheels DIR] [--work-dir DIR]
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WORK_DIR="work_dirs/c2matching-rec_demo"
install_args=()
while [ $# -gt 0 ]; do
    case "$1" in
        --wheels) install_args+=(--wheels "$2"); shift 2 ;;
        --work-dir) WORK_DIR="$2"; shift 2 ;;
        *) echo "usage: bash tools/quickstart.sh [--wheels DIR] [--work-dir DIR]" >&2; exit 2 ;;
    esac
done
cd "$REPO"
bash tools/install.sh "${install_args[@]}"
# shellcheck source=tools/env.sh
source tools/env.sh
CONFIG=configs/c2matching-rec_demo.py
"$C2M_PY" tools/make_demo_data.py --out data/demo
"$C2M_PY" tools/train.py "$CONFIG" --work-dir "$WORK_DIR"
CKPT="$(cat "$WORK_DIR/last_checkpoint")"
"$C2M_PY" tools/test.py "$CONFIG" "$CKPT" --work-dir "$WORK_DIR"
echo "[quickstart] checkpoints and logs: $WORK_DIR (last checkpoint: $CKPT)"
