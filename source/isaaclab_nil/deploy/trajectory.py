"""One env's rollout in a simulator, as a file another simulator starts from and compares with.

``scripts/play.py`` writes ``trajectory.npz`` beside ``play.mp4`` (Isaac Lab); ``nil sim2sim --compare FILE``
starts MuJoCo from its first state and reports the joint-trajectory RMSE between the two.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import Path

import numpy as np

from ..errors import NILError


@dataclass(frozen=True)
class Trajectory:
    """The state after every control step m = 0..M (m = 0: the start), per-joint values in ``joint_names`` order."""

    joint_names: list[str]
    step_dt: float
    joint_pos: np.ndarray
    """(M + 1, J) [rad]."""
    joint_vel: np.ndarray
    """(M + 1, J) [rad/s]."""
    base_pos: np.ndarray
    """(M + 1, 3) [m], world frame."""
    base_quat_wxyz: np.ndarray
    """(M + 1, 4) base orientation (w, x, y, z)."""
    base_lin_vel_w: np.ndarray
    """(M + 1, 3) [m/s], world frame."""
    base_ang_vel_b: np.ndarray
    """(M + 1, 3) [rad/s], base frame."""
    fall_step: int
    """The step at which the robot fell (its episode ended), M + 1 if never."""

    def save(self, path: str | Path) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez(path, **{field.name: np.asarray(getattr(self, field.name)) for field in fields(self)})
        return path

    @classmethod
    def load(cls, path: str | Path) -> Trajectory:
        try:
            with np.load(path) as data:
                values = {field.name: data[field.name] for field in fields(cls)}
        except (OSError, KeyError, ValueError) as error:
            raise NILError(f"{path} is not a trajectory (scripts/play.py writes trajectory.npz): {error}") from None
        values["joint_names"] = [str(name) for name in values["joint_names"]]
        values["step_dt"], values["fall_step"] = float(values["step_dt"]), int(values["fall_step"])
        return cls(**values)

    def in_order(self, joint_names: list[str]) -> Trajectory:
        """The same trajectory with its joints in ``joint_names`` order."""
        missing = sorted(set(joint_names) - set(self.joint_names))
        if missing:
            raise NILError(f"the trajectory has no joints {missing}: it is another robot's")
        columns = [self.joint_names.index(name) for name in joint_names]
        return Trajectory(
            **{field.name: getattr(self, field.name) for field in fields(self)}
            | {
                "joint_names": list(joint_names),
                "joint_pos": self.joint_pos[:, columns],
                "joint_vel": self.joint_vel[:, columns],
            }
        )


def rollout_trajectory(rollout, joint_names: list[str], env_id: int = 0) -> Trajectory:
    """Env ``env_id`` of an :class:`~isaaclab_nil.evaluation.rollout.Rollout` (Isaac Lab's quaternions are
    (x, y, z, w)); ``joint_names``: the MJCF names of the robot's joints."""
    base = rollout.base_state[:, env_id].numpy()
    return Trajectory(
        joint_names=list(joint_names),
        step_dt=float(rollout.step_dt),
        joint_pos=rollout.joint_pos[:, env_id].numpy(),
        joint_vel=rollout.joint_vel[:, env_id].numpy(),
        base_pos=base[:, 0:3],
        base_quat_wxyz=base[:, [6, 3, 4, 5]],
        base_lin_vel_w=base[:, 7:10],
        base_ang_vel_b=base[:, 10:13],
        fall_step=int(rollout.fall_step[env_id]),
    )
