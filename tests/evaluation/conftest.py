"""Shared by the evaluation tests: a tiny TimeSformer, a known-answer bundle made by the `nil` console script,
and one nominal NIL-H1-Walk env in this process (Isaac Lab runs one simulation per process; the `nil`
commands run in their own processes)."""

import subprocess
import sys
from pathlib import Path

import pytest

TASK = "NIL-H1-Walk"
BUNDLE_FRAMES = 48
"""Two seconds at the task's 24 fps: the walk's one-second start-up, then one stride."""


def run_nil(*args: str) -> subprocess.CompletedProcess:
    """Run the installed `nil` console script (the one beside this interpreter)."""
    nil = Path(sys.executable).parent / "nil"
    assert nil.is_file(), "the `nil` console script is not installed"
    return subprocess.run([str(nil), *args], capture_output=True, text=True, timeout=900)


@pytest.fixture(scope="package")
def known_answer_bundle(tmp_path_factory, tiny_encoder_dir):
    """`nil generate --known-answer walk` at the default speed, two seconds long."""
    out = tmp_path_factory.mktemp("known_answer") / "walk"
    result = run_nil(
        "generate",
        "--task",
        TASK,
        "--known-answer",
        "walk",
        "--frames",
        str(BUNDLE_FRAMES),
        "--encoder",
        str(tiny_encoder_dir),
        "--out",
        str(out),
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return out


@pytest.fixture(scope="package")
def nominal_h1_env():
    """The env `nil generate` renders in (one robot, no reset noise), with one-second episodes."""
    from isaaclab_nil.cli.generate import nominal_env

    env = nominal_env(TASK, overrides=["env.commands.reference.num_frames=24"])
    yield env
    env.close()
