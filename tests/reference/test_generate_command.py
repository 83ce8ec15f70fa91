"""`nil generate` end to end: the installed console script renders NIL-H1-Walk's first frame, runs a
tiny generator, SAM 2 and TimeSformer from local folders, and writes a bundle that validates."""

import subprocess
import sys
from pathlib import Path

import torch

from isaaclab_nil.reference.bundle import BundleExpectation, load_bundle
from isaaclab_nil.reference.video_io import write_video


def _nil(*args):
    nil = Path(sys.executable).parent / "nil"  # the console script installed beside this interpreter
    assert nil.is_file(), "the `nil` console script is not installed"
    return subprocess.run(
        [str(nil), "generate", "--task", "NIL-H1-Walk", *args], capture_output=True, text=True, timeout=900
    )


def test_generate_with_a_tiny_generator_writes_a_valid_bundle(model_dirs, tmp_path):
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
        "--frames",
        "9",
        "--steps",
        "2",
        "--out",
        str(out),
    )
    assert result.returncode == 0, result.stderr[-3000:]
    bundle = load_bundle(out, BundleExpectation(robot="Unitree H1 humanoid robot", task="NIL-H1-Walk"))
    assert bundle.frames.shape == (9, 224, 224, 3)
    assert bundle.meta.encoder.dtype == "float32"  # --encoder_dtype's default, whatever --dtype the generator ran in
    assert bundle.masks.shape == (9, 224, 224)
    # frame 0 is the rendered first frame and its mask is the simulator's robot mask
    assert 0.005 < bundle.masks[0].float().mean() < 0.15
    assert bundle.meta.prompt == "The Unitree H1 humanoid robot agent is walking forward, camera follows the agent."
    assert (out / "contact_sheet.png").is_file() and (out / "masks_overlay.mp4").is_file()


def test_a_missing_model_is_one_clear_error(tmp_path):
    result = _nil("--video", str(tmp_path / "missing.mp4"), "--segmenter", str(tmp_path / "no_sam2"))
    assert result.returncode == 1
    assert "Could not load the SAM 2 segmenter" in result.stderr
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
