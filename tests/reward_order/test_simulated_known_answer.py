"""The default reward orders the policies on a free robot: imitating earns the most, a quick fall less than standing.

The reference is a simulated known answer (``nil generate --known-answer walk --simulated``): the walk's joint
targets played through PD and physics, so that replaying them reproduces it. One nominal NIL-H1-Walk env (no reset
noise, a 64 px camera, a tiny random TimeSformer) runs one episode of each policy; the replay runs first, in the
fresh env, as the reference was filmed. Its own package: Isaac Lab keeps one simulation per process, and the other
packages' envs live as long as their package.
"""

import pytest
import torch
from evaluation.conftest import TASK, run_nil  # the `nil` console script, as the evaluation tests run it

from isaaclab_nil.evaluation.rollout import random_policy, replay_policy, zero_policy
from isaaclab_nil.reference.ground_truth import GROUND_TRUTH_FILE, GroundTruth

FRAMES = 24
"""One second at the task's 24 fps: the walk's start-up, during which the robot's legs already swing."""
SIZE = 64
FALL_ACTION = 4.0
"""On every joint (x the action scale 0.25: 1 rad off the default pose): the H1 collapses at once."""


@pytest.fixture(scope="module")
def simulated_bundle(tmp_path_factory, tiny_encoder_dir):
    out = tmp_path_factory.mktemp("simulated") / "walk"
    camera = [f"env.scene.follow_camera.width={SIZE}", f"env.scene.follow_camera.height={SIZE}"]
    args = ["--known-answer", "walk", "--simulated", "--frames", str(FRAMES), "--encoder", str(tiny_encoder_dir)]
    result = run_nil("generate", "--task", TASK, *args, "--out", str(out), *camera)
    assert result.returncode == 0, result.stderr[-3000:]
    return out


def _episode(env, policy) -> dict:
    """One episode from a reset: the env's return, whether it fell, and the mask IoU of each frame."""
    command = env.command_manager.get_term("reference")
    obs, _ = env.reset()
    total, ious = 0.0, {}
    while True:
        obs, reward, terminated, truncated, _ = env.step(policy(obs["policy"]))
        total += float(reward[0])
        if terminated[0] or truncated[0]:
            return {"return": total, "fell": bool(terminated[0]), "iou": ious}
        ious[int(command.frame[0])] = float(command.iou[0])


@pytest.fixture(scope="module")
def episodes(simulated_bundle):
    """One episode of each policy in one fresh nominal env with the bundle, the replay first."""
    from isaaclab_nil.cli.generate import nominal_env

    env = nominal_env(TASK, overrides=[f"env.commands.reference.bundle={simulated_bundle}"])
    try:
        assert env.cfg.rewards.video_similarity.similarity == "cosine"
        shape = (env.num_envs, env.action_manager.total_action_dim)
        policies = {
            "replay": replay_policy(env, GroundTruth.load(simulated_bundle / GROUND_TRUTH_FILE)),
            "zero": zero_policy(env),
            "random": random_policy(env, seed=0),
            "fall": lambda obs: torch.full(shape, FALL_ACTION),
        }
        return {name: _episode(env, policy) for name, policy in policies.items()}
    finally:
        env.close()


def test_the_replay_reproduces_the_simulated_reference(episodes):
    """Replayed from the same reset, the known answer's targets film the reference's masks exactly."""
    replay = episodes["replay"]
    assert not replay["fell"] and sorted(replay["iou"]) == list(range(FRAMES))
    assert all(iou == 1.0 for iou in replay["iou"].values()), replay["iou"]


def test_imitating_earns_the_most_and_a_quick_fall_less_than_standing(episodes):
    returns = {name: episode["return"] for name, episode in episodes.items()}
    assert episodes["fall"]["fell"] and not episodes["zero"]["fell"], episodes
    assert returns["replay"] == max(returns.values()), returns
    assert returns["fall"] < returns["zero"], returns
