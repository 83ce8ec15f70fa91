"""Video sources: a tiny LTX-Video pipeline at its native settings, each backend's default pipeline arguments,
and an imported file."""

import pytest
import torch
from PIL import Image

from isaaclab_nil.errors import UsageError
from isaaclab_nil.reference.backends import GENERATOR_BACKENDS, parse_size
from isaaclab_nil.reference.errors import ModelLoadError, VideoReadError
from isaaclab_nil.reference.generators import DiffusersVideoGenerator, VideoFileSource
from isaaclab_nil.reference.video_check import check_video_file, frame_stride
from isaaclab_nil.reference.video_io import write_video


def test_generated_video_is_at_camera_resolution_and_starts_with_the_given_frame(generator, scene):
    rgb, _ = scene
    first = rgb[:, :48]  # a 64x48 camera, taller than LTX's native 704x480
    video = generator.generate(first, "the robot is walking", num_frames=10, fps=16.0, seed=3)
    assert video.frames.shape == (10, 64, 48, 3) and video.frames.dtype == torch.uint8
    assert torch.equal(video.frames[0], first)
    assert video.fps == 16.0  # LTX takes the rate as an input
    # scaled 7.5x to 480x360, centred in the native 480x704 with white bars left and right
    assert video.describe()["fit"] == {
        "method": "letterbox",
        "fill": "white",
        "generated_size": [480, 704],
        "box": [0, 172, 480, 360],
    }
    again = generator.generate(first, "the robot is walking", num_frames=10, fps=16.0, seed=3)
    assert torch.equal(video.frames, again.frames)  # the seed makes it reproducible


def test_each_backend_defaults_to_its_models_native_settings():
    native = {name: (b.native_size, b.native_frames, b.native_fps) for name, b in GENERATOR_BACKENDS.items()}
    assert native == {
        "ltx": ((480, 704), 121, 24),
        "wan": ((480, 832), 81, 16),
        "cogvideox": ((480, 720), 49, 8),
        "svd": ((576, 1024), 25, 7),
    }
    for backend in GENERATOR_BACKENDS.values():  # each native setting is one its pipeline accepts
        assert all(side % backend.size_multiple == 0 for side in backend.native_size)
        assert (backend.native_frames - 1) % backend.frame_multiple == 0


def test_each_backend_calls_its_pipeline_at_the_native_settings_by_default(scene):
    """What ``nil generate`` asks of each pipeline when no --size, --frames or --fps is given (the runs through
    ``nil generate`` shorten the slow ones: test_generate_command.py)."""
    rgb, _ = scene
    for name, backend in GENERATOR_BACKENDS.items():
        generator = DiffusersVideoGenerator(None, name, "no-model")  # the arguments need no pipeline
        call, box = generator.pipeline_arguments(rgb, "the robot is walking", None, None, seed=0)
        assert (call["height"], call["width"]) == backend.native_size and call["num_frames"] == backend.native_frames
        assert call.get(backend.fps_argument) == (backend.native_fps if backend.fps_argument else None)
        assert ("prompt" in call) == backend.takes_prompt and call["image"].size == backend.native_size[::-1]
        height = backend.native_size[0]  # the square first frame fills the height, centred
        assert box == (0, (backend.native_size[1] - height) // 2, height, height)


def test_size_option_is_width_by_height_in_the_backends_multiples():
    assert parse_size("704x480", "ltx") == (480, 704)
    assert parse_size("720X480", "cogvideox") == (480, 720)
    with pytest.raises(UsageError, match="multiples of 32"):
        parse_size("720x480", "ltx")
    with pytest.raises(UsageError, match="expected WIDTHxHEIGHT"):
        parse_size("704", "ltx")


def test_an_explicit_size_and_the_native_frame_count_and_rate(model_dirs, scene):
    rgb, _ = scene
    generator = DiffusersVideoGenerator.from_pretrained("ltx", str(model_dirs["ltx"]), steps=1, size=(64, 128))
    video = generator.generate(rgb, "the robot is walking", num_frames=None, fps=None, seed=0)
    assert video.frames.shape == (121, 64, 64, 3) and video.fps == 24.0
    assert video.describe()["fit"]["box"] == [0, 32, 64, 64] and video.describe()["size"] == (64, 128)


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
