"""Booster T1 tasks."""

from isaaclab.utils import configclass

from ...envs.nil_env_cfg import NILEnvCfg
from .robot import T1


@configclass
class T1WalkEnvCfg(NILEnvCfg):
    """NIL-T1-Walk: the T1 walks forward like the robot in its reference video."""

    def __post_init__(self):
        super().__post_init__()
        self.set_robot(T1)
        self.commands.reference.skill = "walking forward"


@configclass
class T1WalkPaperEnvCfg(T1WalkEnvCfg):
    """NIL-T1-Walk-Paper: as NIL-T1-Walk with the paper's torque actions."""

    def __post_init__(self):
        super().__post_init__()
        self.set_robot(T1, control="torque")
