"""Stage 1 end to end: generated and imported videos to a bundle, and previews."""

import dataclasses

import pytest
import torch
from PIL import Image

from isaaclab_nil.alignment import frames_per_step
from isaaclab_nil.reference.bundle import BundleExpectation, load_bundle
from isaaclab_nil.reference.encoder import masked_frames
from isaaclab_nil.reference.generators import VideoFileSource
from isaaclab_nil.reference.pipeline import build_reference_bundle
from isaaclab_nil.reference.preview import contact_sheet, overlay_video
from isaaclab_nil.reference.video_io import read_video, write_video


def test_generated_bundle_holds_what_stage_two_needs(generated_bundle, scene, spec, encoder, model_dirs):
    rgb, mask = scene
    bundle = load_bundle(generated_bundle, BundleExpectation(spec.robot, spec.task, spec.camera, encoder.info))
    meta = bundle.meta
    assert (meta.num_frames, meta.fps, meta.seed, meta.prompt) == (16, 16.0, 7, spec.prompt)
    assert meta.source["backend"] == "ltx" and meta.segmenter["id"] == str(model_dirs["segmenter"])
    # LTX ran at its native 704x480: the square camera frame was letterboxed into its middle 480x480
    fit = {"method": "letterbox", "fill": "white", "generated_size": [480, 704], "box": [0, 112, 480, 480]}
    assert meta.source["fit"] == fit and meta.source["generated_frames"] == 17
    assert meta.encoder == encoder.info and meta.mask_background == "white" and meta.first_frame_iou is None
    assert bundle.frames.shape == (16, 64, 64, 3) and bundle.masks.shape == (16, 64, 64)
    # frame 0 is the rendered frame with its background removed; its mask is the simulator's
    assert torch.equal(bundle.frames[0], masked_frames(rgb, mask, "white"))
    assert torch.equal(bundle.masks[0], mask)
    assert torch.equal(bundle.first_frame[..., 3] > 0, mask)
    # the stored embeddings are the encoder's embeddings of the masked clips
    expected = encoder.encode_video(masked_frames(bundle.frames, bundle.masks), batch_size=16)
    torch.testing.assert_close(bundle.embeddings, expected, atol=1e-5, rtol=1e-5)


def test_imported_video_of_another_size_and_fps(tmp_path, scene, spec, any_segmenter, encoder):
    rgb, mask = scene
    # a 1280x720 clip at 30 fps whose centre square is the rendered scene, as a user-made video would be
    centre = torch.nn.functional.interpolate(rgb.permute(2, 0, 1)[None].float(), size=(720, 720)).round()
    frames = torch.zeros(12, 720, 1280, 3, dtype=torch.uint8)
    frames[:, :, 280:1000] = centre[0].permute(1, 2, 0).to(torch.uint8)
    write_video(tmp_path / "kling.mp4", frames, fps=30)
    imported = dataclasses.replace(spec, num_frames=None)
    source = VideoFileSource(tmp_path / "kling.mp4").read(spec.camera.resolution)
    # random SAM 2 weights find no robot, so the IoU is low: no threshold here, the warning has its own test
    out = build_reference_bundle(
        rgb, mask, imported, source, any_segmenter, encoder, tmp_path / "b", min_first_frame_iou=0.0
    )
    bundle = load_bundle(out, BundleExpectation(camera=spec.camera, encoder=encoder.info))
    assert bundle.meta.fps == 30.0 and bundle.meta.num_frames == 12
    assert bundle.meta.segmenter["backend"] == any_segmenter.backend
    assert bundle.frames.shape == (12, 64, 64, 3) and torch.equal(bundle.masks[0], mask)
    assert bundle.meta.source["kind"] == "imported" and 0.0 <= bundle.meta.first_frame_iou <= 1.0


def test_a_video_faster_than_control_is_played_at_a_rate_the_env_tracks(tmp_path, scene, spec, segmenter, encoder):
    rgb, mask = scene
    frames = torch.arange(24, dtype=torch.uint8).mul(10).view(24, 1, 1, 1).expand(24, 64, 64, 3).contiguous()
    write_video(tmp_path / "fast.mp4", frames, fps=120)
    video = VideoFileSource(tmp_path / "fast.mp4").read(spec.camera.resolution, max_fps=50.0)
    assert (video.stride, video.fps, len(video.frames)) == (3, 40.0, 8)  # one frame in 3: 40 fps, not 120
    written, _ = read_video(tmp_path / "fast.mp4")
    assert torch.equal(video.frames, written[::3])  # the kept frames are the file's, untouched
    out = build_reference_bundle(rgb, mask, spec, video, segmenter, encoder, tmp_path / "b", min_first_frame_iou=0.0)
    meta = load_bundle(out).meta
    assert meta.fps == 40.0 and meta.source["file_fps"] == 120.0 and meta.source["stride"] == 3
    frames_per_step(0.02, meta.fps)  # the env at 50 Hz takes it (it refuses 120 fps)
    with pytest.raises(ValueError, match="faster than the control rate"):
        frames_per_step(0.02, 120.0)


def test_imported_video_that_does_not_match_warns(tmp_path, scene, spec, segmenter, encoder):
    rgb, mask = scene
    write_video(tmp_path / "other.mp4", torch.zeros(9, 64, 64, 3, dtype=torch.uint8), fps=24)
    # an IoU can never exceed 1, so this threshold forces the warning path with real SAM 2 output
    with pytest.warns(UserWarning, match=r"IoU .*nil generate --fit-camera"):  # says what to do about it
        build_reference_bundle(
            rgb,
            mask,
            spec,
            VideoFileSource(tmp_path / "other.mp4").read(spec.camera.resolution),
            segmenter,
            encoder,
            tmp_path / "b",
            min_first_frame_iou=1.01,
        )


def test_inputs_that_do_not_match_the_camera_are_refused(tmp_path, scene, spec, generator, segmenter, encoder):
    rgb, mask = scene
    with pytest.raises(ValueError, match="first_frame_rgb"):
        build_reference_bundle(rgb[:32], mask, spec, generator, segmenter, encoder, tmp_path)
    with pytest.raises(ValueError, match="empty"):
        build_reference_bundle(rgb, torch.zeros_like(mask), spec, generator, segmenter, encoder, tmp_path)


def test_previews(tmp_path, generated_bundle):
    bundle = load_bundle(generated_bundle)
    sheet = contact_sheet(tmp_path / "sheet.png", bundle.frames, bundle.masks, count=6, columns=3)
    assert Image.open(sheet).size == (3 * 64, 2 * 64)
    video, fps = read_video(overlay_video(tmp_path / "overlay.mp4", bundle.frames, bundle.masks, bundle.meta.fps))
    assert video.shape == (16, 64, 64, 3) and fps == 16.0
