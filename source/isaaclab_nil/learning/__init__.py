"""Off-policy learners (SAC, BRO), replay buffer, runner, distributed training (``distributed``: torchrun, one
process per GPU) and policy export: PyTorch, with Isaac Lab ``@configclass`` configs (no simulator is started or
imported)."""

from .bro import BRO
from .config import BroCfg, OffPolicyRunnerCfg, SacCfg
from .export import check_onnx_parity, export_policy_onnx
from .runner import OffPolicyRunner, TrainingDiverged, latest_checkpoint
from .sac import SAC

__all__ = [
    "BRO",
    "SAC",
    "BroCfg",
    "OffPolicyRunner",
    "OffPolicyRunnerCfg",
    "SacCfg",
    "TrainingDiverged",
    "check_onnx_parity",
    "export_policy_onnx",
    "latest_checkpoint",
]
