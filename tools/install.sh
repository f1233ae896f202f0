#!/usr/bin/env bash
# Sets up everything c2m_mmagic needs, idempotently:
#   torch + torchvision, mmcv 2.1.0 with compiled ops (a local wheel when one
#   matches, else built from the PyPI sdist), mmengine, mmagic 1.2.0 and the
#   smallest dependency set its imports need, then this package (editable) with
#   its test extras.
#
# Usage: bash tools/install.sh [--stack auto|pinned|current] [--wheels DIR] [--venv DIR] [--demo]
#   --stack S     pinned: the 2023 stack mmagic 1.2.0 was made for (numpy 1.26,
#                 requirements/constraints.txt); current: today's (numpy 2,
#                 requirements/constraints-current.txt); auto (default):
#                 current where the environment already has numpy 2 (it is
#                 not downgraded), else pinned
#   --wheels DIR  folder of prebuilt mmcv wheels used as a cache (e.g. ../shared/wheels)
#   --venv DIR    environment to install into (default: $C2M_VENV, else the
#                 active venv or conda environment, else ~/.venvs/c2m_mmagic)
#   --demo        also the web demo's extra: Gradio and Playwright
#                 (requirements/demo*.txt, pinned in the stack's constraints);
#                 its browser test drives Debian's chromium (apt-get install
#                 chromium), which this script does not install
# Environment: MAX_JOBS (mmcv build jobs, default: number of cores),
#              C2M_CACHE (build cache, default ~/.cache/c2m_mmagic),
#              C2M_FULL_CHECK=1 (probe every step even when nothing changed).
# A finished install leaves a stamp of what it checked (package versions and
# files read from the installed metadata, the requirements, the options);
# while all of that is unchanged, a rerun reads the same without importing
# anything and stops in about a second.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TORCH_VERSION="${C2M_TORCH_VERSION:-2.14.1}"
TORCHVISION_VERSION="${C2M_TORCHVISION_VERSION:-0.29.1}"
MMCV_VERSION=2.1.0
MMAGIC_VERSION=1.2.0
WHEELS=""
STACK=auto
DEMO=0

while [ $# -gt 0 ]; do
    case "$1" in
        --stack) STACK="$2"; shift 2 ;;
        --wheels) WHEELS="$2"; shift 2 ;;
        --venv) C2M_VENV="$2"; shift 2 ;;
        --demo) DEMO=1; shift ;;
        -h|--help) awk 'NR > 1 && !/^#/ { exit } NR > 1' "$0"; exit 0 ;;
        *) echo "[install] unknown argument: $1 (see --help)" >&2; exit 2 ;;
    esac
done
# shellcheck source=tools/env.sh
source "$REPO/tools/env.sh"
CACHE="${C2M_CACHE:-$HOME/.cache/c2m_mmagic}"
STEP="start"
trap 'echo "[install] FAILED at step: $STEP (see the output above)" >&2' ERR

log() { echo "[install] $*"; }
PIP() { "$C2M_PY" -m pip --disable-pip-version-check "$@"; }
probe() { "$C2M_PY" - >/dev/null 2>&1; }

STEP="python environment ($C2M_VENV)"
if [ ! -x "$C2M_PY" ]; then
    log "creating virtual environment $C2M_VENV"
    python3 -m venv "$C2M_VENV"
fi
log "environment: $C2M_VENV"

# What a finished install depends on, read from the installed packages'
# metadata (no imports): versions, the location of this package, mmcv's
# compiled ops, the requirements and the options.
fingerprint() {
    "$C2M_PY" - "$REPO" "$STACK" "$TORCH_VERSION" "$TORCHVISION_VERSION" <<'EOF'
import hashlib, glob, importlib.metadata as md, importlib.util, os, sys
repo, *options = sys.argv[1:]
parts = [sys.executable] + options
for name in ('torch', 'torchvision', 'numpy', 'mmcv', 'mmengine', 'mmagic',
             'c2m_mmagic'):
    try:
        parts.append(f'{name}=={md.version(name)}')
    except md.PackageNotFoundError:
        sys.exit(1)
ops = [f for f in md.distribution('mmcv').files or [] if '_ext' in str(f)]
spec = importlib.util.find_spec('c2m_mmagic')
if not ops or not spec or not all(os.path.isfile(f.locate()) for f in ops):
    sys.exit(1)
parts += [str(f.locate()) for f in ops] + [spec.origin]
for path in sorted(glob.glob(os.path.join(repo, 'requirements', '*.txt'))) \
        + [os.path.join(repo, 'setup.py')]:
    parts.append(hashlib.sha256(open(path, 'rb').read()).hexdigest())
print(hashlib.sha256('\n'.join(parts).encode()).hexdigest())
EOF
}
# --demo: Gradio without its declared dependencies (requirements/demo-nodeps.txt
# says why), after those the demo needs; a stamp of the files and the stack.
demo_extra() {
    [ "$DEMO" = 1 ] || return 0
    STEP="web demo extra (requirements/demo*.txt)"
    local numpy_major constraints stamp want
    numpy_major="$("$C2M_PY" -c 'import importlib.metadata as m; print(m.version("numpy").split(".")[0])')"
    constraints="$REPO/requirements/constraints.txt"
    [ "$numpy_major" -ge 2 ] && constraints="$REPO/requirements/constraints-current.txt"
    stamp="$C2M_VENV/.c2m_mmagic_demo"
    want="$(cat "$constraints" "$REPO"/requirements/demo*.txt | sha256sum | cut -d' ' -f1)"
    if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] \
            && probe <<<'import gradio, playwright.sync_api'; then
        log "web demo extra up to date"
    else
        log "installing the web demo extra (Gradio, Playwright; $(basename "$constraints"))"
        PIP install -q -c "$constraints" -r "$REPO/requirements/demo.txt"
        PIP install -q --no-deps -c "$constraints" -r "$REPO/requirements/demo-nodeps.txt"
        probe <<<'import gradio, playwright.sync_api'
        echo "$want" > "$stamp"
    fi
    log "web demo: python demo/gradio_refsr.py; browser for its test: $(command -v chromium || echo 'none (apt-get install chromium)')"
}

ready_stamp="$C2M_VENV/.c2m_mmagic_ready"
if [ -z "${C2M_FULL_CHECK:-}" ] && [ -f "$ready_stamp" ] \
        && fp="$(fingerprint 2>/dev/null)" && [ "$fp" = "$(cat "$ready_stamp")" ]; then
    log "up to date: nothing changed since the last full check (C2M_FULL_CHECK=1 probes every step)"
    demo_extra
    trap - ERR
    exit 0
fi
rm -f "$ready_stamp"

STEP="torch==$TORCH_VERSION torchvision==$TORCHVISION_VERSION"
if probe <<EOF
import torch, torchvision
assert torch.__version__.split('+')[0] == '$TORCH_VERSION'
assert torchvision.__version__.split('+')[0] == '$TORCHVISION_VERSION'
EOF
then
    log "torch $TORCH_VERSION present"
else
    log "installing $STEP"
    PIP install -q "torch==$TORCH_VERSION" "torchvision==$TORCHVISION_VERSION"
fi

STEP="choosing the stack (--stack $STACK)"
REQUESTED_STACK="$STACK"
numpy_major="$("$C2M_PY" -c 'import numpy; print(numpy.__version__.split(".")[0])' 2>/dev/null || true)"
case "$STACK" in
    auto)
        if [ "${numpy_major:-0}" -ge 2 ] 2>/dev/null; then
            STACK=current
            why="the environment has numpy $numpy_major.x, which is not downgraded"
        else
            STACK=pinned
            why="default (pass --stack current for numpy 2 and today's libraries)"
        fi ;;
    pinned|current) why="--stack $STACK" ;;
    *) echo "[install] --stack must be auto, pinned or current, got $STACK" >&2; exit 2 ;;
esac
if [ "$STACK" = current ]; then
    CONSTRAINTS="$REPO/requirements/constraints-current.txt"
else
    CONSTRAINTS="$REPO/requirements/constraints.txt"
fi
log "stack: $STACK ($(basename "$CONSTRAINTS")): $why"

STEP="python dependencies (requirements/runtime.txt, $(basename "$CONSTRAINTS"))"
stamp="$C2M_VENV/.c2m_mmagic_deps"
want="$STACK $(cat "$REPO/requirements/"*.txt | sha256sum | cut -d' ' -f1)"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    log "python dependencies up to date"
else
    log "installing python dependencies"
    PIP install -q "setuptools>=77,<81" wheel
    PIP install -q -c "$CONSTRAINTS" \
        -r "$REPO/requirements/runtime.txt" -r "$REPO/requirements/tests.txt"
    echo "$want" > "$stamp"
fi

mmcv_ops_ok() {
    probe <<EOF
import mmcv
assert mmcv.__version__ == '$MMCV_VERSION'
from mmcv.ops import modulated_deform_conv2d
EOF
}

STEP="mmcv $MMCV_VERSION with ops"
if mmcv_ops_ok; then
    log "mmcv $MMCV_VERSION with ops present"
else
    # Build tools: mmcv's setup.py imports pkg_resources (gone in setuptools 81).
    PIP install -q "setuptools>=77,<81" wheel ninja
    installed=0
    for dir in "$WHEELS" "$CACHE/wheels"; do
        [ -n "$dir" ] && [ -d "$dir" ] || continue
        # pip picks the wheel whose tags match this Python; --find-links does
        # not recurse, so also offer each sub-folder.
        links=("--find-links" "$dir")
        for sub in "$dir"/*/; do [ -d "$sub" ] && links+=("--find-links" "$sub"); done
        if PIP install -q --no-index --no-deps --force-reinstall "${links[@]}" "mmcv==$MMCV_VERSION" 2>/dev/null \
                && mmcv_ops_ok; then
            log "mmcv $MMCV_VERSION installed from wheel folder $dir"
            installed=1
            break
        fi
        log "no usable mmcv wheel in $dir (missing, wrong tags, or built against another torch)"
        PIP uninstall -q -y mmcv 2>/dev/null || true
    done
    if [ "$installed" = 0 ]; then
        STEP="mmcv $MMCV_VERSION build from source"
        src="$CACHE/src"
        mkdir -p "$src" "$CACHE/wheels"
        if [ ! -d "$src/mmcv-$MMCV_VERSION" ]; then
            log "downloading the mmcv $MMCV_VERSION sdist"
            PIP download -q --no-deps --no-binary :all: -d "$src" "mmcv==$MMCV_VERSION"
            tar -xzf "$src/mmcv-$MMCV_VERSION.tar.gz" -C "$src"
        fi
        # torch >= 2.14 headers need C++20; mmcv 2.1.0 hard-codes -std=c++17.
        if "$C2M_PY" -c "import torch,sys; v=tuple(int(x) for x in torch.__version__.split('+')[0].split('.')[:2]); sys.exit(0 if v >= (2, 14) else 1)"; then
            sed -i "s/'-std=c++17'/'-std=c++20'/g" "$src/mmcv-$MMCV_VERSION/setup.py"
        fi
        jobs="${MAX_JOBS:-$(nproc)}"
        log "compiling mmcv $MMCV_VERSION with ops ($jobs jobs; 11-25 minutes on 2 cores)"
        (cd "$src" && MMCV_WITH_OPS=1 MAX_JOBS="$jobs" "$C2M_PY" -m pip wheel -q --no-build-isolation \
            --no-deps -w "$CACHE/wheels" "$src/mmcv-$MMCV_VERSION")
        PIP install -q --no-index --no-deps --force-reinstall --find-links "$CACHE/wheels" "mmcv==$MMCV_VERSION"
        mmcv_ops_ok || { echo "[install] mmcv built but 'from mmcv.ops import modulated_deform_conv2d' fails" >&2; false; }
        log "mmcv $MMCV_VERSION built and cached in $CACHE/wheels"
    fi
fi

STEP="mmagic $MMAGIC_VERSION (--no-deps) and c2m_mmagic (editable)"
if probe <<EOF
import os, c2m_mmagic, mmagic
assert mmagic.__version__ == '$MMAGIC_VERSION'
assert os.path.dirname(os.path.dirname(os.path.abspath(c2m_mmagic.__file__))) == '$REPO'
EOF
then
    log "mmagic $MMAGIC_VERSION and c2m_mmagic ($REPO) present"
else
    PIP install -q --no-deps "mmagic==$MMAGIC_VERSION"
    PIP install -q --no-deps --no-build-isolation -e "$REPO"
fi

STEP="import check"
"$C2M_PY" - <<'EOF'
import warnings
warnings.filterwarnings('ignore')
import c2m_mmagic  # first: it restores what mmagic 1.2.0 needs on numpy 2
import mmagic.models, mmagic.datasets, mmagic.evaluation, mmagic.apis  # noqa
import mmcv, mmengine, mmagic, numpy, torch
from mmcv.ops import modulated_deform_conv2d  # noqa
print(f'[install] ready: torch {torch.__version__}, numpy {numpy.__version__}, '
      f'mmcv {mmcv.__version__}, mmengine {mmengine.__version__}, '
      f'mmagic {mmagic.__version__}, c2m_mmagic {c2m_mmagic.__version__}')
EOF
STACK="$REQUESTED_STACK" fingerprint > "$ready_stamp.tmp" && mv "$ready_stamp.tmp" "$ready_stamp"
demo_extra
trap - ERR
