#!/usr/bin/env bash
# The GPU check (benchmarks/gpu_check.py): every GPU figure in under 10 minutes, into one JSON under
# benchmarks/results/. Run from anywhere, with the project's venv (scripts/setup.sh) or $PYTHON:
#   bash benchmarks/gpu_check.sh                 # on a GPU
#   bash benchmarks/gpu_check.sh --smoke         # every stage on the CPU at tiny settings (GPU_CHECK_SMOKE=1 too)
#   bash benchmarks/gpu_check.sh --list          # the stages, their time limits and commands
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
python="${PYTHON:-$root/.venv/bin/python}"
export PYTHONPATH="$root/source${PYTHONPATH:+:$PYTHONPATH}"
exec "$python" "$root/benchmarks/gpu_check.py" "$@"
