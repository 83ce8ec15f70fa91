#!/usr/bin/env bash
# Create (or refresh) the project's virtual environment in .venv: Python 3.12, Isaac Lab 3.0.0
# (kit-less, Newton), the MJCF importer, and isaaclab_nil itself in editable mode.
# Safe to run again: it re-installs only when pyproject.toml or this script changed.
set -euo pipefail
cd "$(dirname "$0")/.."

venv=.venv
stamp=$venv/.nil-setup-stamp
want=$(cat pyproject.toml config/mjcf-importer-requirements.txt "$0" | sha256sum | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  exit 0
fi

# Isaac Lab 3.0 needs Python 3.12: $NIL_PYTHON, else the first of these that really runs 3.12
# (a pyenv shim may exist and still fail).
find_python() {
  for candidate in "${NIL_PYTHON:-}" python3.12 /root/.pyenv/versions/3.12.*/bin/python /usr/bin/python3.12 python3; do
    [ -n "$candidate" ] || continue
    if "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 12))' 2>/dev/null; then
      echo "$candidate"
      return
    fi
  done
  echo "[setup] error: Python 3.12 not found; install it or set NIL_PYTHON to its path" >&2
  exit 1
}
if [ ! -x "$venv/bin/python" ]; then
  python=$(find_python)
  "$python" -m venv "$venv"
fi
pip="$venv/bin/python -m pip --disable-pip-version-check -q"
echo "[setup] installing isaaclab_nil and Isaac Lab 3.0.0 into $venv (first time: several minutes)"
$pip install -e ".[test]"
# Meta's sam2 (the sam2 segmenter backend) ships as source that builds against torch: without build isolation,
# which would fetch a second torch to build it, and without its optional CUDA extension (it only fills small
# holes in masks; it needs nvcc): 3 small packages, seconds.
echo "[setup] installing Meta's sam2 package (the 'sam2' extra)"
SAM2_BUILD_CUDA=0 $pip install --no-build-isolation -e ".[sam2]"
# The MJCF importer pins usd-exchange 2.3.0, Isaac Lab needs 3.0.1 (the 'importers' extra
# does not resolve): install the importer, then put Isaac Lab's usd-exchange back.
echo "[setup] installing the MJCF importer (pip warns about usd-exchange 2.3.0; the next step restores 3.0.1)"
$pip install -r config/mjcf-importer-requirements.txt
$pip install --no-deps usd-exchange==3.0.1
# nil sim2sim films with MuJoCo's offscreen renderer through EGL, which Mesa provides on a CPU too: check it once.
if ! MUJOCO_GL=egl "$venv/bin/python" -c 'import mujoco; mujoco.Renderer(mujoco.MjModel.from_xml_string("<mujoco/>"), 8, 8).close()' 2>/dev/null; then
  echo "[setup] note: MuJoCo cannot render offscreen (EGL): install libegl1 libegl-mesa0 libgl1-mesa-dri for nil sim2sim's video, or run it with --video_size 0" >&2
fi
echo "$want" > "$stamp"
echo "[setup] done"
