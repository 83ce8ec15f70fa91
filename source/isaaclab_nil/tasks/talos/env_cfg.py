"""PAL Talos tasks."""

from isaaclab.utils import configclass

from ...envs.nil_env_cfg import NILEnvCfg
from .robot import TALOS


@configclass
class TalosWalkEnvCfg(NILEnvCfg):
    """NIL-Talos-Walk: the Talos walks forward like the robot in its reference video."""

    def __post_init__(self):
        super().__post_init__()
        self.set_robot(TALOS)
        self.commands.reference.skill = "walking forward"


@configclass
class TalosWalkPaperEnvCfg(TalosWalkEnvCfg):
    """NIL-Talos-Walk-Paper: as NIL-Talos-Walk with the paper's torque actions."""

    def __post_init__(self):
        super().__post_init__()
        self.set_robot(TALOS, control="torque")
