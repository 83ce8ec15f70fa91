"""`nil generate` end to end: the installed console script renders NIL-H1-Walk's first frame, runs a
tiny generator (each backend's), SAM 2 and TimeSformer from local folders, and writes a bundle that validates."""

import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch
from PIL import Image

from isaaclab_nil.reference.bundle import BundleExpectation, load_bundle
from isaaclab_nil.reference.video_io import write_video


def _nil(*args):
    nil = Path(sys.executable).parent / "nil"  # the console script installed beside this interpreter
    assert nil.is_file(), "the `nil` console script is not installed"
    return subprocess.run(
        [str(nil), "generate", "--task", "NIL-H1-Walk", *args], capture_output=True, text=True, timeout=900
    )


def test_generate_with_a_tiny_generator_at_its_defaults_writes_a_valid_bundle(model_dirs, tmp_path):
    out = tmp_path / "bundle"
    result = _nil(
        "--generator",
        "ltx",
        "--model",
        str(model_dirs["ltx"]),
        "--segmenter",
        str(model_dirs["segmenter"]),
        "--encoder",
        str(model_dirs["encoder"]),
        "--steps",
        "2",
        "--out",
        str(out),
    )
    assert result.returncode == 0, result.stderr[-3000:]
    bundle = load_bundle(out, BundleExpectation(robot="Unitree H1 humanoid robot", task="NIL-H1-Walk"))
    # LTX-Video's native 121 frames at 24 fps, made at 704x480 and cut back to the 224x224 camera
    assert bundle.frames.shape == (121, 224, 224, 3) and bundle.meta.fps == 24.0
    assert bundle.meta.source["fit"] == {
        "method": "letterbox",
        "fill": "white",
        "generated_size": [480, 704],
        "box": [0, 112, 480, 480],
    }
    assert bundle.meta.encoder.dtype == "float32"  # --encoder_dtype's default, whatever --dtype the generator ran in
    assert bundle.masks.shape == (121, 224, 224)
    # frame 0 is the rendered first frame and its mask is the simulator's robot mask
    assert 0.005 < bundle.masks[0].float().mean() < 0.15
    assert bundle.meta.prompt == "The Unitree H1 humanoid robot agent is walking forward, camera follows the agent."
    assert (out / "contact_sheet.png").is_file() and (out / "masks_overlay.mp4").is_file()
    # quiet: no manager tables and nothing about the MJCF importer's gain notes; they are in isaaclab.log
    output = result.stdout + result.stderr
    assert "Active Reward Terms" not in output and "stiffness and damping" not in output, output
    log = (out / "isaaclab.log").read_text()
    assert "Active Reward Terms" in log and log.count("writes its PD gains") == 1
    assert "stiffness and damping will not be created" not in log  # one line explains the 19 notes


@pytest.mark.parametrize(
    "backend, options, frames, generated_frames, fps, generated_size",
    [
        # On a CPU core the native settings take Wan's VAE about 2 min (81 frames at 832x480) and SVD's VAE and UNet
        # over a minute even for 8 frames at 1024x576: a small size and one clip, 8 frames (Wan makes 4k + 1 = 9).
        # test_generators.py checks the native settings each backend asks for by default.
        ("wan", ["--frames", "8", "--size", "128x64"], 8, 9, 16.0, [64, 128]),
        ("svd", ["--frames", "8", "--size", "128x64"], 8, 8, 7.0, [64, 128]),
        # CogVideoX-5b-I2V only takes 720x480 and 49 frames, and the tiny model likewise: about 50 s on a CPU core,
        # most of it the VAE decoding 49 full-size frames (guidance 1: no second transformer pass)
        ("cogvideox", ["--guidance", "1"], 49, 49, 8.0, [480, 720]),
    ],
)
def test_each_other_backend_runs_through_nil_generate(
    tiny_pipeline_dir, model_dirs, tmp_path, backend, options, frames, generated_frames, fps, generated_size
):
    """Wan, SVD and CogVideoX from local folders, at their native settings where the CPU allows, in a valid bundle
    at the camera's size, native fps, and the letterbox recorded."""
    out = tmp_path / "bundle"
    models = ["--segmenter", str(model_dirs["segmenter"]), "--encoder", str(model_dirs["encoder"])]
    pipeline = ["--generator", backend, "--model", str(tiny_pipeline_dir(backend)), "--steps", "2", *options]
    result = _nil(*pipeline, *models, "--out", str(out))
    assert result.returncode == 0, result.stderr[-3000:]
    bundle = load_bundle(out, BundleExpectation(robot="Unitree H1 humanoid robot", task="NIL-H1-Walk"))
    assert bundle.frames.shape == (frames, 224, 224, 3) and bundle.meta.fps == fps
    source = bundle.meta.source
    assert source["backend"] == backend and source["generated_frames"] == generated_frames
    height = generated_size[0]  # the square first frame fills the height, centred
    assert source["fit"]["generated_size"] == generated_size
    assert source["fit"]["box"] == [0, (generated_size[1] - height) // 2, height, height]
    assert 0.005 < bundle.masks[0].float().mean() < 0.15  # frame 0's mask is the simulator's


def test_a_size_the_generator_cannot_take_is_refused_at_once():
    result = _nil("--generator", "ltx", "--size", "720x480")
    assert result.returncode == 2 and "multiples of 32" in result.stderr and "Traceback" not in result.stderr
    result = _nil("--known-answer", "walk", "--size", "704x480")
    assert result.returncode == 2 and "--size goes with --generator" in result.stderr


@pytest.mark.parametrize("backend", ["transformers", "sam2"])
def test_a_missing_model_is_one_clear_error(tmp_path, backend):
    write_video(tmp_path / "walk.mp4", torch.zeros(9, 32, 32, 3, dtype=torch.uint8), fps=24)
    video, segmenter = str(tmp_path / "walk.mp4"), str(tmp_path / "no_sam2")
    result = _nil("--video", video, "--segmenter_backend", backend, "--segmenter", segmenter)
    assert result.returncode == 1
    assert "Could not load the SAM 2 segmenter" in result.stderr
    assert ("hub ids the sam2 package knows" in result.stderr) == (backend == "sam2")  # the backend asked for
    assert "Traceback" not in result.stderr


def test_a_corrupt_video_is_one_clear_error(model_dirs, tmp_path):
    corrupt = tmp_path / "corrupt.mp4"
    write_video(corrupt, torch.zeros(4, 32, 32, 3, dtype=torch.uint8), fps=24)
    corrupt.write_bytes(corrupt.read_bytes()[:100])
    result = _nil(
        "--video",
        str(corrupt),
        "--segmenter",
        str(model_dirs["segmenter"]),
        "--encoder",
        str(model_dirs["encoder"]),
        "--out",
        str(tmp_path / "bundle"),
    )
    assert result.returncode == 1
    assert "corrupt.mp4" in result.stderr and "Traceback" not in result.stderr


def test_a_bad_video_is_refused_before_isaac_lab_starts(model_dirs, tmp_path):
    Image.new("RGB", (64, 64), "white").save(tmp_path / "still.png")
    write_video(tmp_path / "short.mp4", torch.zeros(5, 64, 64, 3, dtype=torch.uint8), fps=24)
    for video, message in (("still.png", "a still image (one frame), not a video"), ("short.mp4", "5 frames, fewer")):
        start = time.perf_counter()
        result = _nil("--video", str(tmp_path / video), "--encoder", str(model_dirs["encoder"]))
        seconds = time.perf_counter() - start
        assert result.returncode == 1 and message in result.stderr, result.stderr
        assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1
        assert seconds < 8.0, f"{video} was refused after {seconds:.1f} s"  # a simulator takes 15 s or more to start


def test_fit_camera_without_a_robot_in_the_first_frame_is_one_clear_error(model_dirs, owlv2_dir, tmp_path):
    """The detector path end to end with random models: OWLv2 finds some box, in which the random SAM 2 finds no
    robot (its box-prompted masks are empty), so the fit is refused, naming the box (before the simulator starts).
    The fit itself, the bundle and the env taking its camera: tests/reference/test_camera_fit.py."""
    frames = torch.full((9, 96, 160, 3), 90, dtype=torch.uint8)
    frames[:, 20:80, 70:90] = 230  # a bright upright block, the "robot", in a video wider than the camera
    write_video(tmp_path / "walk.mp4", frames, fps=24)
    models = ["--segmenter", str(model_dirs["segmenter"]), "--encoder", str(model_dirs["encoder"])]
    video = ["--video", str(tmp_path / "walk.mp4"), "--fit-camera", "--detector", str(owlv2_dir)]
    result = _nil(*video, *models, "--out", str(tmp_path / "bundle"))
    assert result.returncode == 1 and "the detector finds the robot at" in result.stdout, result.stderr[-3000:]
    assert "SAM 2 finds no robot in the box" in result.stderr and "give --robot-box" in result.stderr
    assert "Traceback" not in result.stderr and not (tmp_path / "bundle").exists()


def test_camera_fit_arguments_are_checked_at_once(tmp_path):
    result = _nil("--fit-camera")
    assert result.returncode == 2 and "--fit-camera goes with --video" in result.stderr
    write_video(tmp_path / "walk.mp4", torch.zeros(9, 32, 32, 3, dtype=torch.uint8), fps=24)
    result = _nil("--video", str(tmp_path / "walk.mp4"), "--fit-camera", "--robot-box", "30,10,20,40")
    assert result.returncode == 2 and "0 <= X0 < X1" in result.stderr and "Traceback" not in result.stderr
