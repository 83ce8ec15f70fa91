"""The NIL reward in NIL-H1-Walk: reference tracking, batching, alignment, resets, ablations, bundle checks."""

import pytest
import torch

from isaaclab_nil.envs.factory import make_env, make_env_cfg
from isaaclab_nil.envs.mdp.nil_rewards import frame_of_step, mask_iou, steps_in_frame, video_similarity
from isaaclab_nil.envs.nil_env_cfg import REGULARIZATION_TERMS
from isaaclab_nil.envs.reference_tracker import ReferenceTracker, load_reference
from isaaclab_nil.reference.encoder import build_clips, masked_frames
from isaaclab_nil.reference.errors import BundleError

from .tiny_reference import NUM_ENVS, NUM_FRAMES, SIZE, bundle_overrides, zero_action


def _random_action(env, generator) -> torch.Tensor:
    return 0.5 * (2 * torch.rand(env.num_envs, env.action_manager.total_action_dim, generator=generator) - 1)


def _term_values(env) -> dict[str, torch.Tensor]:
    """This step's weighted value of every reward term (before the manager's dt scaling), per env."""
    values = [env.reward_manager.get_active_iterable_terms(i) for i in range(env.num_envs)]
    return {name: torch.tensor([v[k][1][0] for v in values]) for k, (name, _) in enumerate(values[0])}


def test_replaying_the_reference_rollout_matches_it(nil_env):
    """The env's first episode replays the seeded rollout its bundle was rendered from: at every frame the
    mask IoU is 1 and the sim clip equals the reference clip, so S_video is at its maximum (L2: 0, cosine: 1).

    Keep this test first: only a fresh env replays exactly (later resets start from other solver warm starts).
    """
    tracker = nil_env.reference_tracker
    assert tracker.kind == "l2"
    nil_env.seed(0)
    nil_env.reset()
    seen = []
    while len(seen) < NUM_FRAMES:
        before = int(tracker.frame[0])
        nil_env.step(zero_action(nil_env))
        frame = int(tracker.frame[0])
        if frame != before:
            seen.append(frame)
            assert tracker.iou[0] == 1.0
            assert tracker.similarity[0] == pytest.approx(0.0, abs=1e-4)
            embedding = tracker.encoder.encode(tracker.clip(torch.tensor([0])))
            cosine = video_similarity(embedding, tracker.bundle.embeddings[frame : frame + 1], "cosine")
            assert cosine == pytest.approx(1.0, abs=1e-5)
    assert seen == list(range(NUM_FRAMES))


def test_the_bundle_sets_the_reference_and_the_episode(nil_env):
    reference = nil_env.cfg.reference
    assert (reference.fps, reference.num_frames) == (24.0, NUM_FRAMES)
    assert nil_env.max_episode_length == 34  # ceil(16 / 24 s / 20 ms)


def test_each_frame_reward_is_spread_over_its_steps(nil_env):
    """Through the RewardManager: the video and IoU terms of a frame's steps sum to alpha * S_video(f) and
    beta * IoU(f), over exactly n_f steps (24 fps at 50 Hz: 2 or 3), and steps past the reference get 0."""
    tracker, cfg = nil_env.reference_tracker, nil_env.cfg.nil_reward
    generator = torch.Generator().manual_seed(1)
    nil_env.reset()
    sums = torch.zeros(2, NUM_ENVS, NUM_FRAMES)
    counts = torch.zeros(NUM_ENVS, NUM_FRAMES, dtype=torch.long)
    frame_values = torch.zeros(2, NUM_ENVS, NUM_FRAMES)
    for step in range(1, int(nil_env.max_episode_length) + 1):
        nil_env.step(_random_action(nil_env, generator))
        terms = _term_values(nil_env)
        frame = int(frame_of_step(torch.tensor(step), tracker.frames_per_step))
        if frame >= NUM_FRAMES:  # past the reference (the last step of the episode)
            assert (terms["video_similarity"] == 0).all() and (terms["mask_iou"] == 0).all()
            continue
        assert (tracker.frame == frame).all()
        frame_values[:, :, frame] = torch.stack((cfg.alpha * tracker.similarity, cfg.beta * tracker.iou))
        sums[:, :, frame] += torch.stack((terms["video_similarity"], terms["mask_iou"]))
        counts[:, frame] += 1
    assert (nil_env.episode_length_buf == 0).all(), "the episode timed out and reset"
    assert torch.equal(counts, steps_in_frame(torch.arange(NUM_FRAMES), tracker.frames_per_step).expand(NUM_ENVS, -1))
    assert set(counts.flatten().tolist()) == {2, 3}
    assert torch.allclose(sums, frame_values, atol=1e-6)
    logged = nil_env.extras["log"]
    for name in ("video_similarity", "mask_iou", *REGULARIZATION_TERMS):
        assert torch.isfinite(torch.as_tensor(logged[f"Episode_Reward/{name}"]))


def test_batched_rewards_equal_env_by_env_rewards(nil_env):
    """Envs at different phases share one encoder call per step (only those at a new frame); each env's
    clip is exactly its own last 8 rendered frames in order (padded with its first), and its values equal
    the ones computed for it alone."""
    tracker = nil_env.reference_tracker
    encoder, encoded = tracker.encoder, []
    generator = torch.Generator().manual_seed(2)

    def counting_encode(clips, *args, **kwargs):
        encoded.append(clips.clone())
        return type(encoder).encode(encoder, clips, *args, **kwargs)

    encoder.encode = counting_encode
    try:
        nil_env.reset()
        history = [[] for _ in range(NUM_ENVS)]
        phases_differ = False
        for step in range(24):
            if step == 5:
                nil_env._reset_idx(torch.tensor([0]))  # env 0 starts over: from now on the phases differ
                history[0] = []
            before, calls = tracker.frame.clone(), len(encoded)
            nil_env.step(_random_action(nil_env, generator))
            new = (tracker.frame != before).nonzero().squeeze(-1)
            assert len(encoded) - calls == (1 if len(new) else 0)
            if not len(new):
                continue
            assert len(encoded[-1]) == len(new)
            phases_differ |= len(new) == 1
            rgb, mask = nil_env.robot_frames()
            for k, i in enumerate(new.tolist()):
                frame = int(tracker.frame[i])
                history[i].append(masked_frames(rgb[i], mask[i]))
                assert len(history[i]) == frame + 1
                clip = build_clips(torch.stack(history[i]), [frame]).permute(0, 1, 4, 2, 3)
                assert torch.equal(encoded[-1][k], clip[0])
                embedding = type(encoder).encode(encoder, clip)[0]
                alone = video_similarity(embedding, tracker.bundle.embeddings[frame], tracker.kind)
                assert tracker.similarity[i] == pytest.approx(float(alone), abs=1e-5)
                assert tracker.iou[i] == pytest.approx(float(mask_iou(mask[i], tracker.bundle.masks[frame])))
        assert phases_differ
    finally:
        del encoder.encode


def test_reset_clears_only_the_reset_envs(nil_env):
    tracker = nil_env.reference_tracker
    assert tracker.clips.dtype == torch.uint8 and tracker.clips.shape == (NUM_ENVS, 8, 3, SIZE, SIZE)
    nil_env.reset()
    for _ in range(6):
        nil_env.step(zero_action(nil_env))
    kept = {name: getattr(tracker, name)[0].clone() for name in ("frame", "clips", "similarity", "iou")}
    assert (tracker.frame >= 2).all() and tracker.clips.any(dim=(1, 2, 3, 4)).all()
    nil_env._reset_idx(torch.tensor([1]))
    assert tracker.frame[1] == -1 and not tracker.clips[1].any()
    assert tracker.similarity[1] == 0 and tracker.iou[1] == 0
    for name, value in kept.items():
        assert torch.equal(getattr(tracker, name)[0], value), name


def test_feet_contact_sensor_sees_the_standing_feet(nil_env):
    """Isaac Lab's ContactSensor works with Newton on CPU: both feet of a standing H1 carry its weight."""
    sensor = nil_env.scene["feet_contact"]
    assert sensor.body_names == ["left_ankle_link", "right_ankle_link"]
    nil_env.reset()
    for _ in range(10):
        nil_env.step(zero_action(nil_env))
    force = sensor.data.net_normal_forces_w_history.torch.norm(dim=-1).max(dim=1).values
    assert (force > 100.0).all(), force  # [N]: each foot carries about half of the H1's ~500 N weight
    assert (sensor.data.current_contact_time.torch > 0).all()


def test_rewards_are_finite_under_random_actions(nil_env):
    generator = torch.Generator().manual_seed(3)
    nil_env.reset()
    for _ in range(40):  # past the time-out at step 34
        _, reward, _, _, _ = nil_env.step(2 * _random_action(nil_env, generator))
        assert torch.isfinite(reward).all()
        for name, value in _term_values(nil_env).items():
            assert torch.isfinite(value).all(), name


def test_weights_follow_the_command_line(bundle_dir):
    """``env.nil_reward.*`` overrides reach the term weights: alpha, beta, gamma times each P weight."""
    cfg = make_env_cfg(
        "NIL-H1-Walk",
        overrides=bundle_overrides(
            bundle_dir, "env.nil_reward.alpha=0.5", "env.nil_reward.beta=0", "env.nil_reward.gamma=2",
            "env.nil_reward.joint_vel=-0.1", "env.nil_reward.similarity=cosine",
        ),
    )
    cfg.sync()
    assert cfg.rewards.video_similarity.weight == 0.5 and cfg.rewards.mask_iou.weight == 0
    assert cfg.rewards.joint_vel.weight == pytest.approx(-0.2)
    assert cfg.rewards.torso_tilt.weight == pytest.approx(2 * cfg.nil_reward.torso_tilt)
    assert cfg.nil_reward.similarity == "cosine"

    no_bundle = make_env_cfg("NIL-H1-Walk")
    no_bundle.sync()
    assert no_bundle.rewards.video_similarity.weight == 0 and no_bundle.rewards.mask_iou.weight == 0


def test_video_term_off_runs_no_encoder(nil_env, bundle_dir):
    """alpha = 0 (Table 1 "w/o Video Sim."): no encoder is loaded, the term weighs 0 (so the RewardManager
    never calls it), and the tracker still gives the mask IoU."""
    cfg = make_env_cfg("NIL-H1-Walk", overrides=bundle_overrides(bundle_dir, "env.nil_reward.alpha=0"))
    cfg.sync()
    assert cfg.rewards.video_similarity.weight == 0
    bundle, encoder = load_reference(cfg)
    assert encoder is None
    tracker = ReferenceTracker(nil_env, bundle, encoder)
    assert tracker.clips is None
    nil_env.reset()
    nil_env.step(zero_action(nil_env))
    tracker.update()
    assert (tracker.frame == 0).all() and (tracker.iou > 0.3).all() and (tracker.similarity == 0).all()


@pytest.mark.parametrize(
    "override, error, match",
    [
        ("env.reference.embodiment=Unitree G1 humanoid robot", BundleError, "robot is 'Unitree H1"),
        ("env.follow_camera.width=48", BundleError, r"resolution \(height, width\)"),
        ("env.follow_camera.focal_length=18.0", BundleError, "camera.fx"),
        ("env.decimation=12", ValueError, "faster than the control rate"),  # 16.7 Hz control, 24 fps video
    ],
)
def test_a_bundle_made_for_another_env_is_refused_at_creation(bundle_dir, override, error, match):
    """Refused before the simulation exists, with the bundle's message saying what differs."""
    with pytest.raises(error, match=match):
        make_env("NIL-H1-Walk", num_envs=NUM_ENVS, device="cpu", overrides=bundle_overrides(bundle_dir, override))
