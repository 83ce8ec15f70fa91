"""What the commands print: their own few lines, with Isaac Lab's start-up output kept out of the way.

Building an env prints about 130 lines: Isaac Lab's manager tables, timers and config notes, the USD converter's
status lines, and one note per joint from the MJCF importer about PD gains (see :func:`explain_gain_notes`).
:func:`isaaclab_output` sends all of it (Python and C++ output alike) to a log file instead of the terminal,
unless ``--verbose``.
"""

from __future__ import annotations

import ctypes
import logging
import os
import sys
import tempfile
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import NILError

ISAACLAB_LOG = "isaaclab.log"
"""Where a command keeps Isaac Lab's start-up output, in its output folder."""
GAIN_NOTE_LOGGER = "isaacsim.asset.importer.utils.impl.mjc_to_physx_conversion_utils"
GAIN_NOTE = "physics drive stiffness and damping will not be created"
GAIN_EXPLANATION = (
    "[nil] the MJCF importer creates no USD drive gains for the model's <motor> actuators (torque motors have "
    "none); the task's actuator config writes its PD gains into the simulation instead"
)
HARMLESS_WARNINGS = (
    (FutureWarning, r"`isinstance\(treespec, LeafSpec\)` is deprecated"),  # torch 2.11's own ONNX exporter
    (FutureWarning, "Newton shape color replacement is enabled"),  # Isaac Lab's Newton cloner
)
"""Library warnings about the libraries' own internals, which no user can act on."""


def quiet_library_notes() -> None:
    """Hide :data:`HARMLESS_WARNINGS` and explain the gain notes once (:func:`explain_gain_notes`)."""
    for category, message in HARMLESS_WARNINGS:
        warnings.filterwarnings("ignore", message=message, category=category)
    explain_gain_notes()


def explain_gain_notes() -> None:
    """The MJCF importer warns, for every joint driven by a ``<motor>``, that "physics drive stiffness and damping
    will not be created": a torque motor has no gains to convert into a USD joint drive. The gains are not lost:
    the task's ``ImplicitActuatorCfg`` (``robots.mjcf.robot_cfg``) writes the robot spec's stiffness and damping
    into the Newton model when the articulation is built (Isaac Lab's ``ActuatorCollection``), and the
    paper's torque tasks want none. One line says so instead of one per joint."""
    logger = logging.getLogger(GAIN_NOTE_LOGGER)
    if not any(isinstance(f, _GainNotes) for f in logger.filters):
        logger.addFilter(_GainNotes())


class _GainNotes(logging.Filter):
    """Replaces the importer's per-joint gain notes by :data:`GAIN_EXPLANATION`, once per process."""

    explained = False

    def filter(self, record: logging.LogRecord) -> bool:
        if GAIN_NOTE not in record.getMessage():
            return True
        if _GainNotes.explained:
            return False
        _GainNotes.explained = True
        record.msg, record.args = GAIN_EXPLANATION, ()
        return True


@contextmanager
def isaaclab_output(verbose: bool = False) -> Iterator[list[str]]:
    """Inside, everything the process writes to stdout and stderr goes to a temporary file, unless ``verbose``.

    Yields a list that holds the captured text once the block ends; :func:`save_output` writes it to a
    command's output folder. An exception other than a ``NILError`` (which is the user's, one line) prints
    the captured output's last lines first, so a failure inside Isaac Lab still shows its cause.
    """
    quiet_library_notes()
    captured: list[str] = []
    if verbose:
        yield captured
        return
    saved = [os.dup(1), os.dup(2)]
    with tempfile.TemporaryFile() as log:
        _flush()
        for fd in (1, 2):
            os.dup2(log.fileno(), fd)
        try:
            yield captured
        except BaseException as error:
            _restore(saved)
            captured.append(_read(log))
            if not isinstance(error, NILError | KeyboardInterrupt):
                tail = "".join(captured[0].splitlines(keepends=True)[-30:])
                print(f"[nil] Isaac Lab's last output before the error:\n{tail}", file=sys.stderr)
            raise
        _restore(saved)
        captured.append(_read(log))


def save_output(captured: list[str], folder: Path) -> Path | None:
    """Write what :func:`isaaclab_output` captured to ``folder/isaaclab.log``; None when nothing was captured."""
    if not captured:
        return None
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / ISAACLAB_LOG
    path.write_text("".join(captured))
    return path


def _flush() -> None:
    sys.stdout.flush()
    sys.stderr.flush()
    ctypes.CDLL(None).fflush(None)  # C and C++ stdio buffers too


def _restore(saved: list[int]) -> None:
    _flush()
    for fd, copy in zip((1, 2), saved):
        os.dup2(copy, fd)
        os.close(copy)


def _read(log) -> str:
    log.seek(0)
    return log.read().decode(errors="replace")
