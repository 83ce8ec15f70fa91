"""The NIL reward in NIL-H1-Walk: reference tracking, batching, alignment, resets, ablations, bundle checks."""

from types import SimpleNamespace

import pytest
import torch

from isaaclab_nil.alignment import first_step, frame_of_step, reference_start, steps_in_frame
from isaaclab_nil.envs.factory import apply_reference, make_env_cfg
from isaaclab_nil.envs.mdp import commands
from isaaclab_nil.envs.mdp.camera import robot_frames
from isaaclab_nil.envs.mdp.commands import ReferenceCommand, follow_camera_spec
from isaaclab_nil.envs.mdp.rewards import VideoSimilarityTermCfg, reference_video_similarity
from isaaclab_nil.envs.reward_presets import REGULARIZATION_TERMS
from isaaclab_nil.errors import ConfigError
from isaaclab_nil.metrics import mask_iou, video_similarity
from isaaclab_nil.reference.bundle import read_bundle_meta
from isaaclab_nil.reference.encoder import build_clips, masked_frames, save_random_encoder
from isaaclab_nil.reference.errors import BundleError

from .tiny_reference import NUM_ENVS, NUM_FRAMES, SIZE, bundle_overrides, zero_action


def _random_action(env, generator) -> torch.Tensor:
    return 0.5 * (2 * torch.rand(env.num_envs, env.action_manager.total_action_dim, generator=generator) - 1)


def _reference(env):
    """The env's reference command."""
    return env.command_manager.get_term("reference")


def _similarity(command, kind: str = "cosine") -> torch.Tensor:
    """S_video of each env's current clip against the reference clip of its frame."""
    return video_similarity(command.embedding, command.bundle.embeddings[command.frame.clamp(min=0)], kind)


def _term_values(env) -> dict[str, torch.Tensor]:
    """This step's weighted value of every reward term (before the manager's dt scaling), per env."""
    values = [env.reward_manager.get_active_iterable_terms(i) for i in range(env.num_envs)]
    return {name: torch.tensor([v[k][1][0] for v in values]) for k, (name, _) in enumerate(values[0])}


def test_replaying_the_reference_rollout_matches_it(nil_env):
    """The env's first episode replays the seeded rollout its bundle was rendered from: at every frame the
    mask IoU is 1 and the sim clip equals the reference clip, so S_video is at its maximum (cosine: 1, L2: 0).

    Keep this test first: only a fresh env replays exactly (later resets start from other solver warm starts).
    """
    tracker = _reference(nil_env)
    assert nil_env.cfg.rewards.video_similarity.similarity == "cosine"
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
            assert _similarity(tracker, "neg_l2")[0] == pytest.approx(0.0, abs=1e-4)
            embedding = tracker.encoder.encode(tracker.clip(torch.tensor([0])))
            cosine = video_similarity(embedding, tracker.bundle.embeddings[frame : frame + 1], "cosine")
            assert cosine == pytest.approx(1.0, abs=1e-5)
    assert seen == list(range(NUM_FRAMES))


def test_the_bundle_sets_the_reference_and_the_episode(nil_env):
    reference = nil_env.cfg.commands.reference
    assert (reference.fps, reference.num_frames) == (24.0, NUM_FRAMES)
    assert nil_env.max_episode_length == 34  # ceil(16 / 24 s / 20 ms)


def test_the_reference_finishes_the_episode_as_a_time_out(nil_env):
    """``reference_finished`` ends every episode at the reference's end, as a time-out (truncated): at the first
    step of the clock frame after its last one, K + 16."""
    nil_env.reset()
    command = _reference(nil_env)
    reset_step = nil_env.common_step_counter
    start = int(reference_start(torch.tensor(reset_step), command.frames_per_step))
    assert (command.start == start).all()
    steps = int(first_step(torch.tensor(start + NUM_FRAMES), command.frames_per_step)) - reset_step
    assert 34 <= steps <= 36  # the reference's 34 steps, after up to two steps before its first clock frame
    for step in range(1, steps + 1):
        _, _, terminated, truncated, _ = nil_env.step(zero_action(nil_env))
        assert bool(truncated.all()) == (step == steps) and not terminated.any()
    assert (nil_env.episode_length_buf == 0).all()


def test_each_frame_reward_is_spread_over_its_steps(nil_env):
    """Through the RewardManager: the video and IoU terms of a frame's steps sum to alpha * S_video(f) and
    beta * IoU(f), over exactly the n steps of its clock frame (24 fps at 50 Hz: 2 or 3), and steps outside the
    reference (before its first clock frame, past its end) get 0."""
    tracker, rewards = _reference(nil_env), nil_env.cfg.rewards
    generator = torch.Generator().manual_seed(1)
    nil_env.reset()
    sums = torch.zeros(2, NUM_ENVS, NUM_FRAMES)
    counts = torch.zeros(NUM_ENVS, NUM_FRAMES, dtype=torch.long)
    frame_values = torch.zeros(2, NUM_ENVS, NUM_FRAMES)
    start = int(tracker.start[0])
    truncated = torch.zeros(NUM_ENVS, dtype=torch.bool)
    while not truncated.any():
        _, _, _, truncated, _ = nil_env.step(_random_action(nil_env, generator))
        terms = _term_values(nil_env)
        frame = tracker.clock_frame - start
        if not 0 <= frame < NUM_FRAMES:  # outside the reference
            assert (terms["video_similarity"] == 0).all() and (terms["mask_iou"] == 0).all()
            continue
        assert (tracker.frame == frame).all()
        weights = (rewards.video_similarity.weight, rewards.mask_iou.weight)
        frame_values[:, :, frame] = torch.stack((weights[0] * _similarity(tracker), weights[1] * tracker.iou))
        sums[:, :, frame] += torch.stack((terms["video_similarity"], terms["mask_iou"]))
        counts[:, frame] += 1
    assert (nil_env.episode_length_buf == 0).all(), "the episode timed out and reset"
    clock_frames = start + torch.arange(NUM_FRAMES)
    assert torch.equal(counts, steps_in_frame(clock_frames, tracker.frames_per_step).expand(NUM_ENVS, -1))
    assert set(counts.flatten().tolist()) == {2, 3}
    assert torch.allclose(sums, frame_values, atol=1e-6)
    logged = nil_env.extras["log"]
    for name in ("video_similarity", "mask_iou", *REGULARIZATION_TERMS):
        assert torch.isfinite(torch.as_tensor(logged[f"Episode_Reward/{name}"]))


def test_batched_rewards_equal_env_by_env_rewards(nil_env, monkeypatch):
    """Envs at different phases share one frame clock: the cameras render, and the encoder runs once for all
    envs, only on the steps that start a clock frame; each env's clip is exactly its own last 8 rendered frames in
    order (padded with its first), its ring buffer gets one slot per new frame, and its values equal the ones
    computed for it alone."""
    tracker = _reference(nil_env)
    encoder, encoded, rendered_at = tracker.encoder, [], []
    generator = torch.Generator().manual_seed(2)

    def counting_encode(clips, *args, **kwargs):
        encoded.append(clips.clone())
        return type(encoder).encode(encoder, clips, *args, **kwargs)

    def counting_render(env):
        rendered_at.append(env.common_step_counter)
        return robot_frames(env)

    monkeypatch.setattr(commands, "robot_frames", counting_render)
    encoder.encode = counting_encode
    try:
        nil_env.reset()
        history = [[] for _ in range(NUM_ENVS)]
        phases_differ = False
        for step in range(24):
            if step == 5:
                nil_env._reset_idx(torch.tensor([0]))  # env 0 starts over: from now on the phases differ
                history[0] = []
            before, calls, clips = tracker.frame.clone(), len(encoded), tracker.clips.clone()
            nil_env.step(_random_action(nil_env, generator))
            new = (tracker.frame != before).nonzero().squeeze(-1)
            assert len(encoded) - calls == (1 if len(new) else 0)
            if not len(new):
                continue
            assert len(encoded[-1]) == len(new)
            phases_differ |= bool(tracker.frame[0] != tracker.frame[1])
            rgb, mask = robot_frames(nil_env)
            for k, i in enumerate(new.tolist()):
                frame = int(tracker.frame[i])
                history[i].append(masked_frames(rgb[i], mask[i]))
                assert len(history[i]) == frame + 1
                if frame > 0:  # one slot written per new frame, the other 7 kept
                    others = torch.arange(8) != frame % 8
                    assert torch.equal(tracker.clips[i, others], clips[i, others])
                clip = build_clips(torch.stack(history[i]), [frame]).permute(0, 1, 4, 2, 3)
                assert torch.equal(encoded[-1][k], clip[0])
                embedding = type(encoder).encode(encoder, clip)[0]
                alone = video_similarity(embedding, tracker.bundle.embeddings[frame], "cosine")
                assert _similarity(tracker)[i] == pytest.approx(float(alone), abs=1e-5)
                assert tracker.iou[i] == pytest.approx(float(mask_iou(mask[i], tracker.bundle.masks[frame])))
        assert phases_differ
        clock = frame_of_step(torch.tensor(rendered_at), tracker.frames_per_step)
        starts_a_frame = clock != frame_of_step(torch.tensor(rendered_at) - 1, tracker.frames_per_step)
        assert starts_a_frame.all() and len(set(rendered_at)) == len(rendered_at)  # once per clock frame at most
        assert len(rendered_at) == len(encoded) <= 12  # 24 steps at 24 fps and 50 Hz: 11 or 12 clock frames
    finally:
        del encoder.encode


def _episode_return(env, policy) -> tuple[torch.Tensor, torch.Tensor]:
    """Each env's return over one seeded episode of ``policy()`` (actions (num_envs, A)), and whether it fell."""
    env.seed(0)
    env.reset()
    total, done, fell = torch.zeros(env.num_envs), torch.zeros(env.num_envs, dtype=torch.bool), None
    while not done.all():
        _, reward, terminated, truncated, _ = env.step(policy())
        total += torch.where(done, 0.0, reward)
        fell = terminated & ~done if fell is None else fell | (terminated & ~done)
        done |= terminated | truncated
    return total, fell


def test_staying_up_and_imitating_earns_the_most_and_a_quick_fall_less(nil_env):
    """The default reward (cosine S_video, alpha = beta = 1, the task's P) pays for imitating: replaying the
    reference rollout (zero actions from its seeded reset) earns more than random actions and than falling at once
    (a large constant action), though a fall ends the episode after a few frames. (With the negative L2 of paper v1
    each frame costs the embeddings' distance, tens for TimeSformer-base, and ending the episode early paid;
    docs/reward.md has the figures.)"""
    assert nil_env.cfg.rewards.video_similarity.similarity == "cosine"
    generator = torch.Generator().manual_seed(0)
    shape = (nil_env.num_envs, nil_env.action_manager.total_action_dim)
    replay, replay_fell = _episode_return(nil_env, lambda: torch.zeros(shape))
    random, _ = _episode_return(nil_env, lambda: 2 * _random_action(nil_env, generator))
    fall, fall_fell = _episode_return(nil_env, lambda: torch.full(shape, 4.0))
    assert not replay_fell.any() and fall_fell.all()
    assert (replay > random).all() and (replay > fall).all(), (replay, random, fall)


def test_reset_clears_only_the_reset_envs(nil_env):
    tracker = _reference(nil_env)
    assert tracker.clips.dtype == torch.uint8 and tracker.clips.shape == (NUM_ENVS, 8, 3, SIZE, SIZE)
    nil_env.reset()
    for _ in range(6):
        nil_env.step(zero_action(nil_env))
    kept = {name: getattr(tracker, name)[0].clone() for name in ("frame", "clips", "embedding", "iou")}
    assert (tracker.frame >= 2).all() and tracker.clips.any(dim=(1, 2, 3, 4)).all()
    nil_env._reset_idx(torch.tensor([1]))
    assert tracker.frame[1] == -1 and not tracker.clips[1].any()
    assert not tracker.embedding[1].any() and tracker.iou[1] == 0
    for name, value in kept.items():
        assert torch.equal(getattr(tracker, name)[0], value), name


def test_the_hot_path_keeps_the_frames_in_place(nil_env, monkeypatch):
    """The frames the reward needs stay in the env's preallocated ring on the env's device: stepping writes into the
    same ring and embeddings (stable data pointers), frames at the encoder's size go in with no float resize copy,
    and the encoder gets at most ``encoder_batch_size`` time-ordered clips at once (never a copy of the whole ring),
    with the same embeddings as all at once."""
    tracker = _reference(nil_env)
    assert tracker.clips.device == tracker.embedding.device == torch.device(nil_env.device)
    pointers = tracker.clips.data_ptr(), tracker.embedding.data_ptr()
    batches = []

    def counting_encode(clips, *args, **kwargs):
        batches.append(len(clips))
        return type(tracker.encoder).encode(tracker.encoder, clips, *args, **kwargs)

    def no_resize(*args):
        raise AssertionError("frames at the encoder's size were resized")

    monkeypatch.setattr(commands, "crop_resize", no_resize)
    monkeypatch.setattr(tracker.cfg, "encoder_batch_size", 1)
    monkeypatch.setattr(tracker.encoder, "encode", counting_encode, raising=False)
    nil_env.reset()
    for _ in range(6):
        nil_env.step(zero_action(nil_env))
    assert batches and set(batches) == {1}
    assert (tracker.clips.data_ptr(), tracker.embedding.data_ptr()) == pointers
    ids = torch.arange(NUM_ENVS)
    together = type(tracker.encoder).encode(tracker.encoder, tracker.clip(ids))
    torch.testing.assert_close(tracker.embedding, together, atol=1e-5, rtol=1e-5)


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


def test_weights_live_on_the_reward_terms():
    """One place for each weight: ``env.rewards.<term>.weight`` on the command line reaches the env config as it
    is, and the similarity is a field of the video term; the Table 1 presets are such overrides."""
    from isaaclab_nil.envs.reward_presets import ablation_overrides

    cfg = make_env_cfg(
        "NIL-H1-Walk",
        overrides=[
            "env.rewards.video_similarity.weight=0.5",
            "env.rewards.mask_iou.weight=0",
            "env.rewards.joint_vel.weight=-0.1",
            "env.rewards.video_similarity.similarity=neg_l2",
        ],
    )
    assert cfg.rewards.video_similarity.weight == 0.5 and cfg.rewards.mask_iou.weight == 0
    assert cfg.rewards.joint_vel.weight == pytest.approx(-0.1)
    assert cfg.rewards.video_similarity.similarity == "neg_l2"
    iou_only = make_env_cfg("NIL-H1-Walk", overrides=ablation_overrides("iou_only"))
    weights = {
        name: getattr(iou_only.rewards, name).weight for name in ("video_similarity", "mask_iou", *REGULARIZATION_TERMS)
    }
    assert weights == {**dict.fromkeys(weights, 0.0), "mask_iou": 1.0}


def test_a_config_made_in_python_is_the_registered_one():
    """No extra call: the task's config class made in Python equals what the registry (and Hydra) gives, once
    its preset nodes take their defaults (what ``gym.make`` does with it, ``envs.factory.create_env``)."""
    from isaaclab_tasks.utils.hydra import resolve_presets

    from isaaclab_nil.tasks.h1.env_cfg import H1WalkEnvCfg

    in_python = resolve_presets(H1WalkEnvCfg())
    in_python.sim.device = "cpu"  # the one setting the commands apply to every config (this machine has no GPU)
    registered = make_env_cfg("NIL-H1-Walk", device="cpu")
    assert in_python.to_dict() == registered.to_dict()
    assert registered.rewards.video_similarity.weight == 1.0 and registered.rewards.mask_iou.weight == 1.0


def test_video_term_off_runs_no_encoder(nil_env):
    """Weight 0 on the video term (Table 1 "w/o Video Sim."): the term does not ask the reference command for
    clips, so no encoder is loaded and no clip kept, and the command still gives the mask IoU; a weighted term
    asks. (A second reference command on the shared env: Isaac Lab runs one simulation per process.)"""
    command = ReferenceCommand(nil_env.cfg.commands.reference, nil_env)
    env = SimpleNamespace(command_manager=SimpleNamespace(get_term=lambda name: command))
    params = {"command_name": "reference"}
    reference_video_similarity(VideoSimilarityTermCfg(weight=0.0, params=params), env)
    assert command.encoder is None and command.clips is None and command.embedding is None
    nil_env.reset()
    command.reset()  # the env's command manager resets its own command, not this one
    for _ in range(4):  # until the reference starts: at most one frame period after the reset
        nil_env.step(zero_action(nil_env))
        command.update()
        if (command.frame >= 0).all():
            break
    assert (command.frame == 0).all() and (command.iou > 0.3).all()
    reference_video_similarity(VideoSimilarityTermCfg(weight=1.0, params=params), env)
    assert command.encoder is not None and command.clips.shape == (NUM_ENVS, 8, 3, SIZE, SIZE)


@pytest.mark.parametrize(
    "override, error, match",
    [
        ("env.commands.reference.embodiment=Unitree G1 humanoid robot", BundleError, "robot is 'Unitree H1"),
        ("env.decimation=12", ValueError, "faster than the control rate"),  # 16.7 Hz control, 24 fps video
        (
            "env.commands.reference.encoder_dtype=bfloat16",
            BundleError,
            "computed in float32 but env.commands.reference.encoder_dtype is bfloat16",
        ),
        ("env.rewards.video_similarity.similarity=l2", ConfigError, "similarity must be one of"),
    ],
)
def test_a_bundle_made_for_another_env_is_refused_at_creation(bundle_dir, override, error, match):
    """Refused before the simulation exists, with the bundle's message saying what differs."""
    cfg = make_env_cfg("NIL-H1-Walk", num_envs=NUM_ENVS, device="cpu", overrides=bundle_overrides(bundle_dir, override))
    with pytest.raises(error, match=match):
        apply_reference(cfg)


def test_an_encoder_that_normalises_otherwise_is_refused_at_creation(bundle_dir, tmp_path):
    """The bundle's tiny encoder normalises with its own mean and std; a K400-normalised one would embed the env's
    clips differently from the reference's."""
    save_random_encoder(tmp_path / "k400")
    override = f"env.commands.reference.encoder_path={tmp_path / 'k400'}"
    cfg = make_env_cfg("NIL-H1-Walk", num_envs=NUM_ENVS, device="cpu", overrides=bundle_overrides(bundle_dir, override))
    with pytest.raises(BundleError, match=r"made with input mean \(0.5, 0.5, 0.5\).* normalises with mean \(0.45"):
        apply_reference(cfg)


def test_the_bundle_decides_the_camera(bundle_dir):
    """The reference was filmed with the bundle's camera: an env made with another one takes the bundle's."""
    cfg = make_env_cfg(
        "NIL-H1-Walk",
        overrides=bundle_overrides(
            bundle_dir,
            "env.scene.follow_camera.width=48",
            "env.scene.follow_camera.spawn.focal_length=18.0",
            "env.scene.follow_camera.offset.pos=[0.0,-5.0,2.0]",
        ),
    )
    apply_reference(cfg)
    camera = cfg.scene.follow_camera
    assert (camera.width, camera.height) == (SIZE, SIZE)
    assert camera.spawn.focal_length == pytest.approx(24.0) and tuple(camera.offset.pos) == (0.0, -3.0, 1.0)
    assert follow_camera_spec(cfg) == read_bundle_meta(bundle_dir).camera
