"""The NIL reward's math without the simulator: mask IoU, video similarity, frame alignment (paper 3.3.1, 3.4)."""

import pytest
import torch

from isaaclab_nil.alignment import first_step, frame_of_step, frames_per_step, reference_start, steps_in_frame
from isaaclab_nil.metrics import mask_iou, video_similarity


def test_mask_iou_matches_hand_computed_masks():
    sim = torch.zeros(3, 4, 4, dtype=torch.bool)
    ref = torch.zeros(3, 4, 4, dtype=torch.bool)
    sim[0, 0:2, 0:2] = True  # 4 pixels
    ref[0, 1:3, 0:2] = True  # 4 pixels, 2 shared: 2 / 6
    sim[1, :, :] = True
    ref[1, 0, 0] = True  # 1 / 16
    # env 2: both empty: no robot in view is never a match, 0 (not NaN)
    iou = mask_iou(sim, ref)
    assert iou.dtype == torch.float32
    assert torch.allclose(iou, torch.tensor([2 / 6, 1 / 16, 0.0]))
    assert mask_iou(ref[0], ref[0]) == 1.0
    assert mask_iou(ref[0], torch.zeros_like(ref[0])) == 0.0


@pytest.mark.parametrize("kind", ["neg_l2", "cosine"])
def test_video_similarity_is_largest_for_equal_embeddings(kind):
    generator = torch.Generator().manual_seed(0)
    reference = torch.randn(32, generator=generator)
    others = reference + 0.5 * torch.randn(100, 32, generator=generator)
    best = video_similarity(reference, reference, kind)
    assert best == pytest.approx(0.0 if kind == "neg_l2" else 1.0, abs=1e-6)
    assert (video_similarity(others, reference.expand(100, 32), kind) < best).all()


def test_video_similarity_rejects_an_unknown_kind():
    with pytest.raises(ValueError, match="must be one of"):
        video_similarity(torch.zeros(2), torch.zeros(2), "dot")


def test_a_video_faster_than_control_is_refused():
    assert frames_per_step(0.02, 24.0) == pytest.approx(0.48)
    assert frames_per_step(0.02, 50.0) == pytest.approx(1.0)
    with pytest.raises(ValueError, match="faster than the control rate"):
        frames_per_step(0.02, 60.0)


def test_24_fps_at_50_hz_hand_checked():
    r = frames_per_step(0.02, 24.0)
    steps = torch.arange(1, 30)
    expected = [f for f in range(12) for _ in range(2)] + [12, 12, 12, 13, 13]  # steps 1-2: frame 0, ... 25-27: 12
    assert frame_of_step(steps, r).tolist() == expected
    assert steps_in_frame(torch.arange(14), r).tolist() == [2] * 12 + [3, 2]


def test_25_fps_at_50_hz_hand_checked():
    """An integer ratio: frame 0 covers step 1 only (step m ends at m * 20 ms), every later frame 2 steps."""
    r = frames_per_step(0.02, 25.0)
    assert frame_of_step(torch.arange(1, 8), r).tolist() == [0, 1, 1, 2, 2, 3, 3]
    assert steps_in_frame(torch.arange(5), r).tolist() == [1, 2, 2, 2, 2]


@pytest.mark.parametrize("fps", [24.0, 25.0, 29.97, 30.0, 50.0])
def test_spreading_a_frame_over_its_steps_sums_to_the_frame_reward(fps):
    r = frames_per_step(0.02, fps)
    num_frames = 40
    steps = torch.arange(1, 200)
    frames = frame_of_step(steps, r)
    inside = frames < num_frames
    counts = torch.bincount(frames[inside], minlength=num_frames)
    assert torch.equal(steps_in_frame(torch.arange(num_frames), r), counts)  # n_f counts exactly those steps

    value = torch.randn(num_frames, dtype=torch.float64)  # the reward of each frame
    n = steps_in_frame(frames[inside], r)
    per_step = value[frames[inside]] / n
    per_frame = torch.zeros(num_frames, dtype=torch.float64).index_add_(0, frames[inside], per_step)
    reached = counts > 0  # at 50 fps, frame 0 has no step (step 1 ends at frame 1)
    assert torch.allclose(per_frame[reached], value[reached])
    assert reached[1:].all()


@pytest.mark.parametrize("fps", [24.0, 25.0, 29.97, 30.0, 50.0])
def test_every_episode_follows_the_one_frame_clock(fps):
    """An episode that starts after any step g_r starts its reference at the next clock frame K: its frames change
    only on the steps that start a clock frame, the first (its frame 0, at every rate: 50 fps too) within one frame
    period of the reset, then frame by frame; frame f lasts the n steps of clock frame K + f, so spreading still
    sums to each frame's value."""
    r = frames_per_step(0.02, fps)
    clock = frame_of_step(torch.arange(0, 400), r)
    clock[0] = -1  # before the first step: step 1 starts clock frame 0
    starts_a_frame = torch.cat((torch.tensor([False]), clock[1:] != clock[:-1]))  # indexed by step
    for reset_step in range(0, 60):
        start = int(reference_start(torch.tensor(reset_step), r))
        steps = torch.arange(reset_step + 1, 400)
        frames = frame_of_step(steps, r) - start
        inside = frames >= 0
        first = int(steps[inside][0])
        assert int(frames[inside][0]) == 0  # the first clip pads with the episode's frame 0, as the reference's
        assert starts_a_frame[first] and (first - reset_step - 1) * 0.02 <= 1 / fps + 1e-9  # waits < one frame
        assert int(first_step(torch.tensor(start), r)) == first
        changes = steps[1:][frames[1:] != frames[:-1]]
        assert starts_a_frame[changes].all()  # a frame changes only where the clock does
        counts = torch.bincount(frames[inside])[:-1]  # the last frame is cut by the end of the steps
        assert torch.equal(counts, steps_in_frame(start + torch.arange(len(counts)), r))
    # the env's first episode starts with the clock, in frame 0 unless step 1 already ends in frame 1 (50 fps)
    assert int(reference_start(torch.tensor(0), r)) == (1 if fps == 50.0 else 0)
