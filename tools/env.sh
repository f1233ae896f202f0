# Shared by the shell tools: resolves the Python environment c2m_mmagic runs in.
#   - inside an activated virtual environment: that one;
#   - otherwise $C2M_VENV, default ~/.venvs/c2m_mmagic (created by tools/install.sh).
# Source it; it sets C2M_VENV and C2M_PY.
if [ -n "${VIRTUAL_ENV:-}" ] && [ -z "${C2M_VENV:-}" ]; then
    C2M_VENV="$VIRTUAL_ENV"
fi
C2M_VENV="${C2M_VENV:-$HOME/.venvs/c2m_mmagic}"
C2M_PY="$C2M_VENV/bin/python"
export C2M_VENV C2M_PY
