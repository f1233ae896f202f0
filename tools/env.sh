# Shared by the shell tools: resolves the Python environment c2m_mmagic runs in.
#   - $C2M_VENV when set;
#   - else an activated virtual environment ($VIRTUAL_ENV);
#   - else an activated conda environment ($CONDA_PREFIX);
#   - else ~/.venvs/c2m_mmagic (created by tools/install.sh).
# Source it; it sets C2M_VENV and C2M_PY.
if [ -z "${C2M_VENV:-}" ]; then
    C2M_VENV="${VIRTUAL_ENV:-${CONDA_PREFIX:-$HOME/.venvs/c2m_mmagic}}"
fi
C2M_PY="$C2M_VENV/bin/python"
export C2M_VENV C2M_PY
