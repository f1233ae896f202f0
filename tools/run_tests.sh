#!/usr/bin/env bash
# Runs the test suite in the environment tools/install.sh prepared.
# Usage: bash tools/run_tests.sh [pytest options]
set -uo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=tools/env.sh
source "$REPO/tools/env.sh"
if [ ! -x "$C2M_PY" ]; then
    echo "error: no environment at $C2M_VENV; run: bash tools/install.sh" >&2
    exit 1
fi
cd "$REPO"
"$C2M_PY" -m pytest "$@"
rc=$?
case $rc in
    0) ;;
    5) echo "error: pytest collected no tests" >&2 ;;
    *) echo "error: pytest exited with status $rc" >&2 ;;
esac
exit $rc
