"""Unitree G1 tasks."""

from isaaclab.utils import configclass

from ...envs.nil_env_cfg import NILEnvCfg
from .robot import G1


@configclass
class G1WalkEnvCfg(NILEnvCfg):
    """NIL-G1-Walk: the G1 walks forward like the robot in its reference video."""

    def __post_init__(self):
        super().__post_init__()
        self.set_robot(G1)
        self.commands.reference.skill = "walking forward"


@configclass
class G1WalkPaperEnvCfg(G1WalkEnvCfg):
    """NIL-G1-Walk-Paper: as NIL-G1-Walk with the paper's torque actions."""

    def __post_init__(self):
        super().__post_init__()
        self.set_robot(G1, control="torque")
