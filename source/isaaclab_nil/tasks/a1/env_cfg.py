"""Unitree A1 tasks."""

from isaaclab.utils import configclass

from ...envs.nil_env_cfg import NILEnvCfg
from .robot import A1


@configclass
class A1WalkEnvCfg(NILEnvCfg):
    """NIL-A1-Walk: the A1 walks forward like the robot in its reference video."""

    def __post_init__(self):
        super().__post_init__()
        self.set_robot(A1)
        self.commands.reference.skill = "walking forward"
        self.commands.reference.builtin_motion = "trot"  # a quadruped trots


@configclass
class A1WalkPaperEnvCfg(A1WalkEnvCfg):
    """NIL-A1-Walk-Paper: as NIL-A1-Walk with the paper's torque actions."""

    def __post_init__(self):
        super().__post_init__()
        self.set_robot(A1, control="torque")
