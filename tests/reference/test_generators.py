"""Video sources: a tiny LTX-Video pipeline and an imported file."""

import pytest
import torch

from isaaclab_nil.reference.errors import ModelLoadError, VideoReadError
from isaaclab_nil.reference.generators import DiffusersVideoGenerator, VideoFileSource
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
    source = VideoFileSource(tmp_path / "kling.mp4")
    video, fps = source.read((64, 64), num_frames=10)
    assert video.shape == (10, 64, 64, 3) and fps == 30.0
    assert video.float().mean() > 250  # the black sides were cropped away
    assert source.describe()["kind"] == "imported" and len(source.describe()["sha256"]) == 64


def test_imported_corrupt_file_gives_the_clear_error(tmp_path):
    path = tmp_path / "broken.mp4"
    path.write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"garbage" * 50)
    with pytest.raises(VideoReadError, match="broken.mp4"):
        VideoFileSource(path).read((64, 64))
