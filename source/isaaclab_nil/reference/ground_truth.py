"""The motion a known-answer reference shows (``<bundle>/ground_truth.npz``), for ``nil eval`` to score against.

The file sits in the bundle folder but is not among the files its ``meta.json`` lists: training never reads it.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .errors import KnownAnswerError

GROUND_TRUTH_FILE = "ground_truth.npz"
"""The played motion, in the bundle folder but not in its ``meta.json`` files: training never reads it."""


@dataclass
class GroundTruth:
    """The motion a known-answer reference shows, at its video frame times t_f = f / fps (f = 0..T-1)."""

    fps: float
    period: float
    """The motion's period [s] (``nil eval`` looks for the best time shift within one period)."""
    joint_names: list[str]
    joint_pos: np.ndarray
    """(T, J) joint positions [rad], columns in ``joint_names`` order."""
    base_pos: np.ndarray
    """(T, 3) base position [m] relative to the env origin."""
    base_lin_vel: np.ndarray
    """(T, 3) base linear velocity [m/s] in the world frame."""
    joint_targets: np.ndarray | None = None
    """(T, J) joint-position targets [rad] whose play through PD and physics gave ``joint_pos`` (a simulated known
    answer); None: the motion was posed kinematically, and ``joint_pos`` is what a replay aims at."""

    @property
    def replay_targets(self) -> np.ndarray:
        """(T, J) the joint-position targets that replay this motion."""
        return self.joint_pos if self.joint_targets is None else self.joint_targets

    @property
    def times(self) -> np.ndarray:
        return np.arange(len(self.joint_pos)) / self.fps

    def save(self, path: str | Path) -> Path:
        targets = {} if self.joint_targets is None else {"joint_targets": self.joint_targets}
        np.savez_compressed(
            path,
            fps=self.fps,
            period=self.period,
            joint_names=np.array(self.joint_names),
            joint_pos=self.joint_pos,
            base_pos=self.base_pos,
            base_lin_vel=self.base_lin_vel,
            **targets,
        )
        return Path(path)

    @classmethod
    def load(cls, path: str | Path) -> GroundTruth:
        """Read a ground-truth file; a missing, corrupt or incomplete one raises ``KnownAnswerError``."""
        try:
            with np.load(path, allow_pickle=False) as data:
                truth = cls(
                    fps=float(data["fps"]),
                    period=float(data["period"]),
                    joint_names=[str(name) for name in data["joint_names"]],
                    joint_pos=data["joint_pos"],
                    base_pos=data["base_pos"],
                    base_lin_vel=data["base_lin_vel"],
                    joint_targets=data["joint_targets"] if "joint_targets" in data else None,
                )
        except (OSError, ValueError, KeyError, zipfile.BadZipFile) as error:
            problem = f"{type(error).__name__}: {error}"
            raise KnownAnswerError(f"{path}: not a readable ground-truth file ({problem})") from error
        count, joints = len(truth.joint_pos), len(truth.joint_names)
        shapes = {"joint_pos": (count, joints), "base_pos": (count, 3), "base_lin_vel": (count, 3)}
        if truth.joint_targets is not None:
            shapes["joint_targets"] = (count, joints)
        for name, shape in shapes.items():
            if getattr(truth, name).shape != shape:
                raise KnownAnswerError(f"{path}: {name} is {getattr(truth, name).shape}, expected {shape}")
        return truth
