"""Unitree H1 tasks."""

from isaaclab.utils import configclass

from ...envs.nil_env_cfg import NILEnvCfg
from .robot import H1


@configclass
class H1WalkEnvCfg(NILEnvCfg):
    """NIL-H1-Walk: the H1 walks forward like the robot in its reference video."""

    def __post_init__(self):
        super().__post_init__()
        self.set_robot(H1)
        self.commands.reference.skill = "walking forward"


@configclass
class H1WalkPaperEnvCfg(H1WalkEnvCfg):
    """NIL-H1-Walk-Paper: as NIL-H1-Walk with the paper's torque actions."""

    def __post_init__(self):
        super().__post_init__()
        self.set_robot(H1, control="torque")
