#!/usr/bin/env bash
# The CUDA checks of c2m_mmagic in one run, each step in its own time budget:
#   env       versions, device
#   tests     the CUDA tests (pytest -m gpu)
#   bench     tools/benchmark.py: the stage-3 training steps ("-rec": L1
#             only, and GAN; batch 9, 160x160), inference and matching at
#             332x500, 1024x1024 and 2048x2048; fast (the device's default
#             matching) and reference, medians, peak memory
#   variants  rows added to bench.json: the pixel matching beside the
#             default at 1024x1024 (matching and inference)
#   bf16      rows added to bench.json: bf16 inference at 332x500, 1024x1024
#   tiling    rows added to bench.json: inference at 2048x2048 and 4096x4096
#             (input and reference), untiled and tiled (peak memory, time)
#   profile   profile.md: torch.profiler's top 25 kernels of one inference
#             at 332x500 and at 1024x1024 and of one GAN training step
#   accuracy  tools/device_accuracy.py: each matching vs a float64 brute
#             force, device output vs CPU output, bf16 vs fp32
#   amp       200 stage-3 steps on the demo data with --amp (bf16 where the
#             device has it) and in fp32, loss curves compared
#             (tools/compare_loss_curves.py)
#   ddp       10 steps launched by torch.distributed.run (NCCL, one process)
#   summary   summary.md from the JSON files
# A failing or timed-out step is recorded and the next one runs; the exit
# status is that of the worst step. The budgets are about 1.5x what each step
# took on an H200 (docs/device_runs/; the new steps estimated), whose
# processes spend about 20 s importing mmagic: 820 s in all, more than one
# call of the device tool may run, so run it as two calls into one folder:
#   --only env,tests,bench,variants,bf16,tiling,profile   then
#   --only accuracy,amp,ddp,summary
#
# Usage:
#   bash tools/device_check.sh --prepare       # here: fill .whl/ for the GPU image
#   bash tools/device_check.sh [--out DIR]     # on the GPU machine
#   bash tools/device_check.sh --short [--out DIR]   # CPU rehearsal, small sizes
#   options: --only tests,amp,summary (those steps alone),
#            --size 2048x2048,1024x1024 (the bench sizes)
#
# The GPU image has Python 3.12, torch 2.11+cu130, numpy 2, transformers 5 and
# huggingface_hub 1.x but no mmcv, mmengine, mmagic or diffusers: --prepare
# puts the CUDA mmcv wheel (../shared/wheels/device-cp312-cu130/, or under
# $C2M_SHARED) and the pure-Python wheels it lacks into .whl/ (ignored by
# git; name it in the device tool's carry), and the run installs them into
# /tmp/site. The plugin runs
# from the checkout on today's stack (c2m_mmagic.compat).
# Output: DIR (default: $OUT when set, else work_dirs/device_check) holds at
# most 8 files: steps.txt, env.json, bench.json, profile.md, accuracy.json,
# amp.json, summary.md and logs.tar.gz (every step's log);
# demo data and training runs go to a temporary folder.
set -uo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
MODE=full
ONLY=""  # ,STEP,STEP, to run only those steps (a rerun of what failed)
SIZE_OVERRIDE=""
OUT_DIR="${OUT:-work_dirs/device_check}"
while [ $# -gt 0 ]; do
    case "$1" in
        --prepare) MODE=prepare; shift ;;
        --short) MODE=short; shift ;;
        --out) OUT_DIR="$2"; shift 2 ;;
        --only) ONLY=",$2,"; shift 2 ;;
        --size) SIZE_OVERRIDE="$2"; shift 2 ;;
        -h|--help) awk 'NR > 1 && !/^#/ { exit } NR > 1' "$0"; exit 0 ;;
        *) echo "[device_check] unknown argument: $1 (see --help)" >&2; exit 2 ;;
    esac
done

# Wheels the GPU image lacks: pure Python (or abi3) for Python 3.12. One
# version each; mmagic and mmcv take --no-deps, so their import needs are named.
DEVICE_WHEELS=(
    mmengine==0.10.7 mmagic==1.2.0 diffusers==0.42.1 addict==2.4.0
    termcolor==3.3.0 yapf==0.43.0 platformdirs==4.14.8 setuptools==80.10.2
    albumentations==2.0.8 albucore==0.0.24 stringzilla==5.3.2 simsimd==6.5.16
    controlnet_aux==0.0.10 lpips==0.1.4 resize-right==0.0.2
    importlib_metadata==10.2.0 pydantic==2.14.4 pydantic_core==2.50.5
    annotated-types==0.8.0 typing-inspection==0.4.5
)

if [ "$MODE" = prepare ]; then
    SHARED="${C2M_SHARED:-$REPO/../shared}"
    MMCV_WHEEL="$SHARED/wheels/device-cp312-cu130/mmcv-2.1.0-cp312-cp312-linux_x86_64.whl"
    if [ ! -f "$MMCV_WHEEL" ]; then
        echo "[device_check] --prepare: no CUDA mmcv wheel at $MMCV_WHEEL (set C2M_SHARED to the folder that holds wheels/)" >&2
        exit 2
    fi
    mkdir -p .whl
    cp "$MMCV_WHEEL" .whl/ || exit 1
    python3 -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 \
        --implementation cp --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 \
        --platform manylinux2014_x86_64 -d .whl "${DEVICE_WHEELS[@]}" || exit 1
    du -ch .whl/*.whl | tail -1 | sed 's/^/[device_check] .whl: /'
    ls .whl
    exit 0
fi

mkdir -p "$OUT_DIR"
OUT_DIR="$(cd "$OUT_DIR" && pwd)"
# logs, demo data and training runs: apart from the results, which stay few
# (the device tool brings back at most 8 files)
WORK="${C2M_DEVICE_WORK:-$(mktemp -d /tmp/c2m_device_check.XXXX)}"
mkdir -p "$WORK/logs"
PY="${PY:-python3}"
if [ -d .whl ] && ! "$PY" -c 'import mmcv, mmengine, mmagic' 2>/dev/null; then
    "$PY" -m pip install -q --no-index --no-deps --no-compile --no-cache-dir \
        --upgrade --target /tmp/site .whl/*.whl || exit 1
    export PYTHONPATH="/tmp/site${PYTHONPATH:+:$PYTHONPATH}"
    du -sh .whl | sed 's/^/[device_check] carried wheels: /'
fi
export PYTHONPATH="$REPO${PYTHONPATH:+:$PYTHONPATH}" PYTHONUNBUFFERED=1

if [ "$MODE" = short ]; then
    DEVICE=cpu; SIZES=(64x96); TRAIN=(--train-size 48x48 --batch 2 --blocks 1)
    REPEAT=(--warmup 0 --repeat 1); ACC_SIZE=(48 64); MATCHINGS=(pixel)
    PROFILE_SIZES=(64x96); TILE_SIZES=(64x96); UNTILED_MAX=64x96; TILE=16
    AMP_STEPS=4; AMP=""; DDP_STEPS=0
else
    DEVICE=cuda; SIZES=(332x500 1024x1024 2048x2048); TRAIN=()
    REPEAT=(--warmup 1 --repeat 3); MATCHINGS=(pixel fused)
    ACC_SIZE=(160 240); AMP_STEPS=120; AMP=--amp; DDP_STEPS=10
    PROFILE_SIZES=(332x500 1024x1024); TILE_SIZES=(2048x2048 4096x4096)
    UNTILED_MAX=2048x2048
    TILE=256  # LR pixels: 1024² output pixels, the CUDA default budget
fi
[ -n "$SIZE_OVERRIDE" ] && read -r -a SIZES <<< "${SIZE_OVERRIDE//,/ }"
STATUS=0
step() {  # step NAME SECONDS COMMAND... ; output in $WORK/logs/NAME.log
    local name=$1 budget=$2 rc start
    shift 2
    if [ -n "$ONLY" ] && [[ "$ONLY" != *",$name,"* ]]; then return 0; fi
    start=$(date +%s)
    timeout "$budget" "$@" > "$WORK/logs/$name.log" 2>&1
    rc=$?
    echo "== $name: last lines of its log"
    tail -n 12 "$WORK/logs/$name.log" | cut -c1-200
    echo "$name rc=$rc seconds=$(( $(date +%s) - start )) budget=$budget" | tee -a "$OUT_DIR/steps.txt"
    tar -czf "$OUT_DIR/logs.tar.gz" -C "$WORK" logs
    [ $rc -gt $STATUS ] && STATUS=$rc
    return 0
}
# a whole run starts the folder afresh; a run of some steps (--only) adds
# to what earlier runs wrote there and deletes none of it
if [ -z "$ONLY" ]; then
    rm -f "$OUT_DIR"/{steps.txt,bench.json,profile.md,accuracy.json,amp.json,summary.md}
    : > "$OUT_DIR/steps.txt"
fi

step env 45 "$PY" - <<EOF
import json, platform, torch, numpy, mmcv, mmengine, c2m_mmagic, mmagic
from mmcv.ops import modulated_deform_conv2d  # noqa: F401
import transformers, huggingface_hub
try:
    import triton
    triton_version = triton.__version__
except ImportError:
    triton_version = None
info = dict(python=platform.python_version(), torch=torch.__version__,
            cuda=torch.version.cuda, numpy=numpy.__version__,
            mmcv=mmcv.__version__, mmengine=mmengine.__version__,
            mmagic=mmagic.__version__, transformers=transformers.__version__,
            huggingface_hub=huggingface_hub.__version__, triton=triton_version,
            device=torch.cuda.get_device_name() if torch.cuda.is_available() else 'cpu')
print(json.dumps(info, indent=2))
json.dump(info, open('$OUT_DIR/env.json', 'w'), indent=2)
EOF
step tests 75 "$PY" -m pytest -q -m gpu -p no:cacheprovider tests
# training first (fp32, and bf16 as --amp trains), then inference (small to
# large, fp32 and bf16), then matching alone
step bench 160 "$PY" tools/benchmark.py --device "$DEVICE" --impl fast reference \
    --what train_rec train inference matching --size "${SIZES[@]}" "${TRAIN[@]}" \
    --precision fp32 bf16 "${REPEAT[@]}" --append --json "$OUT_DIR/bench.json"
# the other matchings beside the default: pixel and the fused Triton kernel
step matchings 90 "$PY" tools/benchmark.py --device "$DEVICE" --impl fast \
    --what matching inference --size "${SIZES[@]}" --matching "${MATCHINGS[@]}" \
    "${REPEAT[@]}" --append --json "$OUT_DIR/bench.json"
step accuracy 75 "$PY" tools/device_accuracy.py --device "$DEVICE" \
    --size "${ACC_SIZE[@]}" --json "$OUT_DIR/accuracy.json"
# a rerun of the profile replaces its tables, and nothing else
if [ -z "$ONLY" ] || [[ "$ONLY" == *",profile,"* ]]; then
    rm -f "$OUT_DIR/profile.md"
fi
step profile 60 "$PY" tools/benchmark.py --device "$DEVICE" --impl fast \
    --what train inference --size "${PROFILE_SIZES[@]}" "${TRAIN[@]}" \
    --warmup 1 --repeat 1 --profile "$OUT_DIR/profile.md" \
    --json "$WORK/profile.json"
# large outputs: untiled and tiled at 2048², tiled only at 4096² (untiled it
# took 62 GiB and 29 s on the H200)
step tiling 100 "$PY" tools/benchmark.py --device "$DEVICE" --impl fast \
    --what inference --size "${TILE_SIZES[@]}" --tiling off "$TILE" \
    --warmup 0 --repeat 1 --append --json "$OUT_DIR/bench.json" \
    --skip-untiled-above "$UNTILED_MAX"
demo_train() {  # demo_train NAME STEPS COMMAND...: stage 3 of the demo with
    # a random matching net, no validation, no checkpoints
    local name=$1 steps=$2
    shift 2
    "$@" --work-dir "$WORK/work/$name" --cfg-options \
        train_dataloader.dataset.data_root="$WORK/demo/CUFED" \
        val_dataloader.dataset.data_root="$WORK/demo/CUFED5" \
        model.extractor.init_cfg=None train_cfg.max_iters="$steps" \
        train_cfg.val_interval=100000 default_hooks.checkpoint.interval=100000 \
        default_hooks.logger.interval=1 "param_scheduler.generator=[]"
}
REC_DEMO=configs/c2matching/c2matching-rec_demo.py
amp_check() {
    "$PY" tools/make_demo_data.py --out "$WORK/demo" &&
    demo_train fp32 "$AMP_STEPS" "$PY" tools/train.py $REC_DEMO &&
    demo_train amp "$AMP_STEPS" "$PY" tools/train.py $REC_DEMO $AMP &&
    "$PY" tools/compare_loss_curves.py "$WORK/work/fp32" "$WORK/work/amp" \
        --key loss_pix --json "$OUT_DIR/amp.json"
}
ddp_check() {  # one process over NCCL, launched as tools/dist_train.sh does
    demo_train ddp "$DDP_STEPS" "$PY" -m torch.distributed.run \
        --nproc_per_node=1 --master_port=29517 tools/train.py $REC_DEMO \
        --launcher pytorch
}
export -f demo_train amp_check ddp_check
export PY OUT_DIR WORK AMP AMP_STEPS DDP_STEPS REC_DEMO
step amp 110 bash -c amp_check
[ "$DDP_STEPS" -gt 0 ] && step ddp 45 bash -c ddp_check
step summary 20 "$PY" tools/device_summary.py "$OUT_DIR"
echo "[device_check] logs: $OUT_DIR/logs.tar.gz (work: $WORK)"
exit $STATUS
