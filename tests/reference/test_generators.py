"""Video sources: a tiny LTX-Video pipeline and an imported file."""

import pytest
import torch
from PIL import Image

from isaaclab_nil.reference.errors import ModelLoadError, VideoReadError
from isaaclab_nil.reference.generators import DiffusersVideoGenerator, VideoFileSource
from isaaclab_nil.reference.video_check import check_video_file, frame_stride
from isaaclab_nil.reference.video_io import write_video


def test_generated_video_is_at_camera_resolution_and_starts_with_the_given_frame(generator, scene):
    rgb, _ = scene
    first = rgb[:, :48]  # a camera whose size is not a multiple of the model's 32
    frames, fps = generator.generate(first, "the robot is walking", num_frames=10, fps=16.0, seed=3)
    assert frames.shape == (10, 64, 48, 3) and frames.dtype == torch.uint8
    assert torch.equal(frames[0], first)
    assert fps == 16.0
    again, _ = generator.generate(first, "the robot is walking", num_frames=10, fps=16.0, seed=3)
    assert torch.equal(frames, again)  # the seed makes it reproducible


def test_describe_records_backend_model_and_options(generator, model_dirs):
    info = generator.describe()
    assert info["backend"] == "ltx" and info["pipeline"] == "LTXImageToVideoPipeline"
    assert info["id"] == str(model_dirs["ltx"]) and info["steps"] == 2 and info["kind"] == "generated"


def test_unknown_backend_and_missing_model_give_clear_errors():
    with pytest.raises(ValueError, match="known"):
        DiffusersVideoGenerator.from_pretrained("no-such-backend")
    with pytest.raises(ModelLoadError, match="HF_HUB_OFFLINE=1") as error:
        DiffusersVideoGenerator.from_pretrained("ltx")  # Lightricks/LTX-Video is not in the offline cache
    assert "Lightricks/LTX-Video" in str(error.value)


def test_imported_file_is_cropped_and_resized_and_keeps_its_fps(tmp_path):
    frames = torch.zeros(12, 720, 1280, 3, dtype=torch.uint8)
    frames[:, :, 280:1000] = 255
    write_video(tmp_path / "kling.mp4", frames, fps=30)
    video = VideoFileSource(tmp_path / "kling.mp4").read((64, 64), num_frames=10, max_fps=50.0)
    assert video.frames.shape == (10, 64, 64, 3) and video.fps == 30.0 and video.stride == 1
    assert video.frames.float().mean() > 250  # the black sides were cropped away
    assert video.describe()["kind"] == "imported" and len(video.describe()["sha256"]) == 64


def test_imported_corrupt_file_gives_the_clear_error(tmp_path):
    path = tmp_path / "broken.mp4"
    path.write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"garbage" * 50)
    with pytest.raises(VideoReadError, match="broken.mp4"):
        VideoFileSource(path).read((64, 64))


def test_a_still_image_or_a_video_shorter_than_one_clip_is_refused(tmp_path):
    Image.new("RGB", (64, 64), "white").save(tmp_path / "still.png")
    write_video(tmp_path / "short.mp4", torch.zeros(5, 64, 64, 3, dtype=torch.uint8), fps=24)
    write_video(tmp_path / "fast.mp4", torch.zeros(20, 64, 64, 3, dtype=torch.uint8), fps=120)
    for check in (check_video_file, lambda path: VideoFileSource(path).read((64, 64))):
        with pytest.raises(VideoReadError, match=r"still.png: a still image \(one frame\), not a video"):
            check(tmp_path / "still.png")
        with pytest.raises(VideoReadError, match="short.mp4: 5 frames, fewer than one 8-frame clip"):
            check(tmp_path / "short.mp4")
    assert check_video_file(tmp_path / "fast.mp4") == (20, 120.0)
    with pytest.raises(VideoReadError, match=r"7 frames \(one frame in 3\), fewer than one 8-frame clip"):
        VideoFileSource(tmp_path / "fast.mp4").read((64, 64), max_fps=50.0)  # 20 frames at 120 fps: 7 at 40 fps
    with pytest.raises(VideoReadError, match=r"4 frames \(--frames 4\)"):
        VideoFileSource(tmp_path / "fast.mp4").read((64, 64), num_frames=4)


@pytest.mark.parametrize("fps, stride", [(24, 1), (50, 1), (60, 2), (100, 2), (120, 3), (240, 5)])
def test_the_frame_stride_brings_a_video_to_the_control_rate(fps, stride):
    assert frame_stride(fps, 50.0) == stride and fps / stride <= 50.0
