"""Off-policy learners (SAC, BRO), replay buffer, runner and policy export; pure PyTorch."""

from .bro import BRO
from .config import BroCfg, RunnerCfg, SacCfg
from .export import check_onnx_parity, export_policy_onnx, write_deploy_config
from .runner import OffPolicyRunner
from .sac import SAC

__all__ = [
    "BRO",
    "SAC",
    "BroCfg",
    "OffPolicyRunner",
    "RunnerCfg",
    "SacCfg",
    "check_onnx_parity",
    "export_policy_onnx",
    "write_deploy_config",
]
