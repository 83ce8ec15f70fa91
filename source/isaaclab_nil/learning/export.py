"""Deployment artefacts: the deterministic policy as ONNX (normalisation folded in) and a YAML config."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import torch
import yaml
from torch import nn

from .networks import ObsNormalizer, TanhGaussianActor
from .runner import OffPolicyRunner, algorithm_class, atomic_write, configs_from_checkpoint

DEPLOY_SCHEMA_VERSION = 1
REQUIRED_DEPLOY_KEYS = (
    "joint_names",
    "default_joint_pos",
    "stiffness",
    "damping",
    "action_scale",
    "action_offset",
    "observations",
    "control_dt",
)
"""Keys that ``write_deploy_config`` requires (the content is produced by the env side)."""


class DeterministicPolicy(nn.Module):
    """``tanh(mean(normalize(obs)))``: what runs on the robot (the env's action term scales it)."""

    def __init__(self, actor: TanhGaussianActor, normalizer: nn.Module):
        super().__init__()
        self.actor = actor
        self.normalizer = normalizer

    def forward(self, obs: torch.Tensor) -> torch.Tensor:
        return self.actor.deterministic(self.normalizer(obs))

    @property
    def obs_dim(self) -> int:
        return next(m for m in self.actor.modules() if isinstance(m, nn.Linear)).in_features


PolicySource = OffPolicyRunner | TanhGaussianActor | DeterministicPolicy
"""What the export functions take: a runner, a bare actor, or an already assembled policy."""


def deterministic_policy(runner_or_actor: PolicySource, normalizer: ObsNormalizer | None = None) -> DeterministicPolicy:
    """CPU copy of the deterministic policy, in eval mode. From a runner, the normaliser defaults to the
    runner's; for a bare actor, to no normalisation; an assembled policy is copied as it is."""
    if isinstance(runner_or_actor, DeterministicPolicy):
        return copy.deepcopy(runner_or_actor).cpu().eval()
    if isinstance(runner_or_actor, OffPolicyRunner):
        actor = runner_or_actor.algo.actor
        normalizer = normalizer if normalizer is not None else runner_or_actor.normalizer
    else:
        actor = runner_or_actor
    normalizer_copy = copy.deepcopy(normalizer) if normalizer is not None else nn.Identity()
    return DeterministicPolicy(copy.deepcopy(actor), normalizer_copy).cpu().eval()


def policy_from_checkpoint(path: str | Path, obs_dim: int, action_dim: int) -> DeterministicPolicy:
    """The deterministic policy saved in an ``OffPolicyRunner`` checkpoint, its networks rebuilt from
    the configs the checkpoint records (no env, optimizer or replay buffer is made)."""
    cfg = configs_from_checkpoint(path)
    state = torch.load(path, map_location="cpu", weights_only=True)
    algo = algorithm_class(cfg.algorithm)(cfg.algorithm, obs_dim, action_dim, "cpu")
    algo.load_state_dict(state["algo"]["modules"])
    normalizer = ObsNormalizer(obs_dim, cfg.normalize_obs, cfg.obs_clip)
    normalizer.load_state_dict(state["normalizer"])
    return deterministic_policy(algo.actor, normalizer)


def export_policy_onnx(runner_or_actor: PolicySource, normalizer: ObsNormalizer | None, path: str | Path) -> Path:
    """Export the deterministic policy to ONNX (input ``obs`` (batch, obs_dim), output ``actions``
    (batch, action_dim), dynamic batch), written atomically as one self-contained file."""
    policy = deterministic_policy(runner_or_actor, normalizer)
    example = torch.zeros(2, policy.obs_dim)
    program = torch.onnx.export(
        policy,
        (example,),
        dynamo=True,
        verbose=False,
        input_names=["obs"],
        output_names=["actions"],
        dynamic_shapes={"obs": {0: torch.export.Dim("batch")}},
    )
    path = Path(path)
    atomic_write(path, lambda f: f.write(program.model_proto.SerializeToString()))
    return path


def check_onnx_parity(
    path: str | Path,
    runner_or_actor: PolicySource,
    normalizer: ObsNormalizer | None = None,
    obs: torch.Tensor | None = None,
    atol: float = 1e-5,
) -> float:
    """Run the ONNX file with onnxruntime and compare to the torch policy; returns the max abs error and
    raises ``RuntimeError`` above ``atol``. ``obs`` defaults to 64 random observations."""
    import onnxruntime

    policy = deterministic_policy(runner_or_actor, normalizer)
    if obs is None:
        obs = 3.0 * torch.randn(64, policy.obs_dim)
    obs = obs.detach().float().cpu()
    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    (actions,) = session.run(["actions"], {"obs": obs.numpy()})
    with torch.no_grad():
        expected = policy(obs)
    error = float((torch.from_numpy(actions) - expected).abs().max())
    if error > atol:
        raise RuntimeError(f"ONNX policy {path} differs from torch by {error:.3g} > atol {atol:g}")
    return error


def _plain(value: Any) -> Any:
    """Tensors, tuples and numpy values as plain Python lists/scalars so that YAML stays readable."""
    if isinstance(value, torch.Tensor):
        return value.tolist()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if hasattr(value, "tolist"):  # numpy arrays and scalars
        return value.tolist()
    return value


def write_deploy_config(path: str | Path, deploy_info: dict) -> Path:
    """Write ``deploy_info`` (joint names, default pose, PD gains, action scale/offset, observation
    layout, control period; see ``REQUIRED_DEPLOY_KEYS``) as YAML with a ``schema_version`` key."""
    for key in REQUIRED_DEPLOY_KEYS:
        if key not in deploy_info:
            raise ValueError(f"deploy config is missing the required key '{key}'")
    document = {"schema_version": DEPLOY_SCHEMA_VERSION, **_plain(deploy_info)}
    text = yaml.safe_dump(document, sort_keys=False)
    path = Path(path)
    atomic_write(path, lambda f: f.write(text.encode()))
    return path
