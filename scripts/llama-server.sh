#!/usr/bin/env bash
# A real third-party OpenAI-compatible model server for tests and benches: llama-cpp-python's
# `llama_cpp.server`, built from source (PyPI has no prebuilt wheel for this Python) into a cached
# virtual environment outside the repo. About 10 minutes at one job the first time; a venv whose
# stamp matches is reused, so later runs on the same machine start at once.
# Usage: bash scripts/llama-server.sh   (prints the interpreter's path on its last line;
#        run the server as: PY -m llama_cpp.server --model F --n_threads 2 --port P)
set -euo pipefail
venv="${ATHANOR_LLAMA_ENV:-$HOME/.cache/athanor/llama-server}"
want="llama-cpp-python[server]==0.3.36"
stamp="$venv/.athanor-llama"
if [ ! -x "$venv/bin/python" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "Building $want in $venv (about 10 minutes the first time)…" >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check --upgrade pip >&2
  # Portable build: no -march=native, so the cached venv runs on any x86-64 CI machine.
  CMAKE_ARGS="-DGGML_NATIVE=OFF" CMAKE_BUILD_PARALLEL_LEVEL="$(nproc)" \
    "$venv/bin/pip" install -q --disable-pip-version-check --no-binary llama-cpp-python "$want" >&2
  "$venv/bin/python" -c 'import llama_cpp.server' >&2
  echo "$want" >"$stamp"
fi
echo "$venv/bin/python"
