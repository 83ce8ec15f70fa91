"""The task's built-in reference: what training imitates when no bundle is given.

The task's known-answer motion (``env.commands.reference.builtin_motion``: a humanoid's walk, a quadruped's
trot) played on the robot and rendered through the follow camera by ``nil generate --known-answer``, embedded
by a small *random* TimeSformer (:func:`~.encoder.save_random_encoder`, loaded with ``from_pretrained`` like
real weights): the whole loop runs with no video model and nothing to download, and ``nil eval`` can score the
policy against the motion's known answer. Its video similarity is a fixed random function of the masked clips,
so the mask IoU is the reward that carries the motion; a real reference comes from ``nil generate --video
FILE`` or ``--generator``.

Each is made once under ``outputs/references/builtin/`` and reused, in a folder named by a hash of what shapes
it (the task, motion, camera, scene and reference overrides, encoder): anything else makes a new one. A folder
is written under a temporary name and renamed when complete, so a half-written one is never reused.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import NILError, UsageError
from .bundle import SCHEMA_VERSION, CameraSpec, robot_and_skill
from .errors import KnownAnswerError
from .motions import make_motion

if TYPE_CHECKING:
    from ..robots.spec import Legs

BUILTIN_ROOT = Path("outputs/references/builtin")
RANDOM_ENCODER_SEED = 0
"""Seed of the random TimeSformer (:func:`~.encoder.save_random_encoder`'s small default architecture)."""
SHAPING_OVERRIDES = ("env.scene.", "env.commands.reference.")
"""The ``env.*`` overrides that shape the reference (robot, camera, fps): passed to ``nil generate`` and keyed."""


@dataclass(frozen=True)
class BuiltinReference:
    """Where a task's built-in reference is (or will be) and the ``nil generate`` arguments that make it."""

    path: Path
    generate_args: tuple[str, ...]

    def exists(self) -> bool:
        return self.path.is_dir()

    def make(self) -> Path:
        """Run ``nil generate`` into a temporary folder and rename it to :attr:`path`; a ``NILError`` with its last
        lines when it fails."""
        if not self.exists():
            _complete(self.path, lambda partial: _run_nil([*self.generate_args, "--out", str(partial)]))
        return self.path


def builtin_reference(
    task: str,
    motion: str,
    legs: Legs,
    camera: CameraSpec,
    overrides: Sequence[str] = (),
    device: str = "cpu",
    root: Path = BUILTIN_ROOT,
) -> BuiltinReference:
    """The built-in reference of ``task`` (made by :meth:`BuiltinReference.make`).

    Args:
        motion: the known-answer motion (a ``KNOWN_MOTIONS`` name the robot offers).
        legs: the task robot's leg description (``env_cfg.robot_legs``).
        camera: the task's follow camera, as configured (part of the key).
        overrides: the command line's ``env.*`` overrides; those of :data:`SHAPING_OVERRIDES` go to
            ``nil generate`` and into the key.
        device: simulation and encoder device of ``nil generate``.

    Raises:
        UsageError: ``motion`` is not a known-answer motion of this robot.
    """
    try:
        described = make_motion(motion, legs).describe()
    except KnownAnswerError as error:
        raise UsageError(f"env.commands.reference.builtin_motion={motion!r}: {error}") from None
    shaping = sorted(item for item in overrides if item.startswith(SHAPING_OVERRIDES))
    encoder = random_encoder(root)
    key = {
        "task": robot_and_skill(task),
        "motion": described,
        "camera": asdict(camera),
        "overrides": shaping,
        "encoder": encoder.name,
        "schema_version": SCHEMA_VERSION,
    }
    generate_args = (
        *("generate", "--task", task, "--known-answer", motion, "--encoder", str(encoder.resolve())),
        *("--device", device, "--sim_device", device),
        *shaping,
    )
    return BuiltinReference(root / f"{robot_and_skill(task)}-{motion}-{_digest(key)}", generate_args)


def random_encoder(root: Path = BUILTIN_ROOT) -> Path:
    """The folder of the small random TimeSformer (saved with ``save_pretrained``), made once."""
    from transformers.utils.logging import disable_progress_bar

    from .encoder import save_random_encoder

    disable_progress_bar()  # a bar for saving a 0.1 MB model is noise
    folder = root / f"random-timesformer-{_digest({'seed': RANDOM_ENCODER_SEED})}"
    if not folder.is_dir():
        _complete(folder, lambda partial: save_random_encoder(partial, seed=RANDOM_ENCODER_SEED))
    return folder


def _complete(folder: Path, make) -> None:
    """``make(partial)`` into a temporary sibling of ``folder``, then rename it to ``folder``."""
    partial = folder.with_name(f".{folder.name}.partial-{os.getpid()}")
    shutil.rmtree(partial, ignore_errors=True)
    partial.parent.mkdir(parents=True, exist_ok=True)
    make(partial)
    try:
        partial.rename(folder)
    except OSError:  # another run finished it first: keep that one
        shutil.rmtree(partial, ignore_errors=True)
        if not folder.is_dir():
            raise


def _run_nil(args: list[str]) -> None:
    result = subprocess.run([sys.executable, "-m", "isaaclab_nil.cli", *args], capture_output=True, text=True)
    if result.returncode != 0:
        tail = "\n".join((result.stderr or result.stdout).strip().splitlines()[-5:])
        raise NILError(f"making the built-in reference failed (`nil {' '.join(args)}`):\n{tail}")


def _digest(data: dict) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:10]
