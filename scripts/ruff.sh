#!/usr/bin/env bash
# `npm run check`'s Python half: ruff over the repo's .py files (config: ruff.toml). Uses
# ATHANOR_PYTHON when set (.ci/run sets it), else the tools venv scripts/python-tools.sh makes.
set -euo pipefail
cd "$(dirname "$0")/.."
python="${ATHANOR_PYTHON:-$(bash scripts/python-tools.sh | tail -n 1)}"
"$python" -m ruff check .
