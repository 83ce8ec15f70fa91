"""The commands' quiet output: what Isaac Lab and its importers print while an env is built goes to a log, C and
Python output alike; the MJCF importer's per-joint gain notes become one line; a crash still shows its cause.
Each case runs in its own interpreter, whose stdout and stderr are the real file descriptors (as in a command)."""

import subprocess
import sys

from isaaclab_nil.console import GAIN_EXPLANATION

NOISY_ENV_BUILD = """
import logging, os, sys
from pathlib import Path
from isaaclab_nil.console import GAIN_NOTE_LOGGER, isaaclab_output, save_output
from isaaclab_nil.errors import NILError
importer = logging.getLogger(GAIN_NOTE_LOGGER)
importer.addHandler(logging.StreamHandler(sys.stderr))

def build():
    print("[INFO] Reward Manager: <RewardManager> contains 8 active terms.")
    os.write(2, b"Status: in saveStage (the USD converter, from C++)\\n")
    for joint in ("left_knee", "right_knee", "torso"):
        importer.warning(f"Gain ... {joint}, physics drive stiffness and damping will not be created")
"""


def _run(code: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", NOISY_ENV_BUILD + code, *args], capture_output=True, text=True)


def test_the_output_goes_to_the_log_and_the_gain_notes_become_one_line(tmp_path):
    result = _run(
        "with isaaclab_output() as captured:\n    build()\nprint('after')\nsave_output(captured, Path(sys.argv[1]))",
        str(tmp_path),
    )
    assert result.returncode == 0, result.stderr
    assert (result.stdout, result.stderr) == ("after\n", "")  # nothing else reached the terminal
    log = (tmp_path / "isaaclab.log").read_text()
    assert "Reward Manager" in log and "from C++" in log
    assert log.count(GAIN_EXPLANATION) == 1 and "will not be created" not in log


def test_verbose_shows_it():
    result = _run("with isaaclab_output(verbose=True):\n    build()")
    assert "Reward Manager" in result.stdout and "from C++" in result.stderr
    assert result.stderr.count(GAIN_EXPLANATION) == 1 and "will not be created" not in result.stderr


def test_a_crash_shows_the_last_output_and_a_users_error_only_its_line():
    crash = _run("with isaaclab_output():\n    build()\n    raise RuntimeError('the solver diverged')")
    assert crash.returncode == 1 and "Isaac Lab's last output before the error" in crash.stderr
    assert "Reward Manager" in crash.stderr and "RuntimeError: the solver diverged" in crash.stderr
    mistake = _run("with isaaclab_output():\n    build()\n    raise NILError('a bundle for another robot')")
    assert "Reward Manager" not in mistake.stderr  # the command prints the error's one line
