"""Unitree Go2 tasks."""

from isaaclab.utils import configclass

from ...envs.nil_env_cfg import NILEnvCfg
from .robot import GO2


@configclass
class Go2WalkEnvCfg(NILEnvCfg):
    """NIL-Go2-Walk: the Go2 walks forward like the robot in its reference video."""

    def __post_init__(self):
        super().__post_init__()
        self.set_robot(GO2)
        self.commands.reference.skill = "walking forward"
        self.commands.reference.builtin_motion = "trot"  # a quadruped trots


@configclass
class Go2WalkPaperEnvCfg(Go2WalkEnvCfg):
    """NIL-Go2-Walk-Paper: as NIL-Go2-Walk with the paper's torque actions."""

    def __post_init__(self):
        super().__post_init__()
        self.set_robot(GO2, control="torque")
