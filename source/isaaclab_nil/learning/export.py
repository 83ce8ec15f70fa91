"""The deterministic policy as ONNX (normalisation folded in), checked with onnxruntime; the deploy config that
goes beside it is :mod:`isaaclab_nil.deploy.contract`'s."""

from __future__ import annotations

import copy
from pathlib import Path

import torch
from torch import nn

from .networks import ObsNormalizer, TanhGaussianActor
from .runner import OffPolicyRunner, algorithm_class, atomic_write, configs_from_checkpoint


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


def export_policy_onnx(
    runner_or_actor: PolicySource, normalizer: ObsNormalizer | None, path: str | Path, batch: int | None = None
) -> Path:
    """Export the deterministic policy to ONNX (input ``obs`` (batch, obs_dim), output ``actions``
    (batch, action_dim)), written atomically as one self-contained file. ``batch``: a fixed batch size (1 for
    unitree_rl_lab's C++ runner, which sizes its input tensor from the model's input shape), or None for a
    dynamic one."""
    policy = deterministic_policy(runner_or_actor, normalizer)
    example = torch.zeros(batch or 2, policy.obs_dim)
    program = torch.onnx.export(
        policy,
        (example,),
        dynamo=True,
        verbose=False,
        input_names=["obs"],
        output_names=["actions"],
        dynamic_shapes={"obs": {0: torch.export.Dim("batch")}} if batch is None else None,
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
    batch = session.get_inputs()[0].shape[0]  # an int for a fixed batch, a name for a dynamic one
    chunks = obs.split(batch) if isinstance(batch, int) else [obs]
    actions = torch.cat([torch.from_numpy(session.run(["actions"], {"obs": chunk.numpy()})[0]) for chunk in chunks])
    with torch.no_grad():
        expected = policy(obs)
    error = float((actions - expected).abs().max())
    if error > atol:
        raise RuntimeError(f"ONNX policy {path} differs from torch by {error:.3g} > atol {atol:g}")
    return error
