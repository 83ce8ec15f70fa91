"""Reading, writing and resizing videos."""

import subprocess
import sys

import pytest
import torch

from isaaclab_nil.reference.errors import VideoReadError
from isaaclab_nil.reference.video_check import check_video_file
from isaaclab_nil.reference.video_io import (
    crop_resize_box,
    letterbox,
    read_video,
    resize_frames,
    unletterbox,
    write_video,
)


def test_write_then_read_keeps_size_count_and_fps(tmp_path):
    frames = torch.zeros(5, 32, 48, 3, dtype=torch.uint8)
    frames[:, :, :24] = 200
    write_video(tmp_path / "a.mp4", frames, fps=29.97)
    decoded, fps = read_video(tmp_path / "a.mp4")
    assert decoded.shape == (5, 32, 48, 3) and decoded.dtype == torch.uint8
    assert fps == pytest.approx(29.97, abs=1e-3)
    assert (decoded.float() - frames.float()).abs().mean() < 3  # H.264 is lossy, but close


def test_resize_crops_the_centre_to_the_target_aspect():
    wide = torch.zeros(1, 720, 1280, 3, dtype=torch.uint8)
    wide[:, :, 280:1000] = 255  # the centre 720 x 720 square is white, the sides black
    square = resize_frames(wide, (64, 64))
    assert square.shape == (1, 64, 64, 3)
    assert bool((square == 255).all())
    tall = resize_frames(torch.zeros(2, 100, 50, 3, dtype=torch.uint8), (30, 40))
    assert tall.shape == (2, 30, 40, 3)


@pytest.mark.parametrize("read", [read_video, check_video_file])
@pytest.mark.parametrize(
    "content, problem",
    [(None, "no such file"), (b"this is not a video" * 100, "cannot be decoded"), (b"", "cannot be decoded")],
)
def test_bad_files_give_one_clear_error(tmp_path, content, problem, read):
    path = tmp_path / "bad.mp4"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(VideoReadError, match=problem) as error:
        read(path)
    assert str(path) in str(error.value)


def test_the_video_check_decodes_without_torch(tmp_path):
    """``nil generate --video`` checks the file before anything heavy is imported."""
    write_video(tmp_path / "a.mp4", torch.zeros(9, 32, 32, 3, dtype=torch.uint8), fps=24)
    code = (
        "import sys\nfrom isaaclab_nil.reference.video_check import check_video_file\n"
        f"print(check_video_file({str(tmp_path / 'a.mp4')!r}), 'torch' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "(9, 24.0) False", result.stdout + result.stderr


def test_truncated_video_gives_the_clear_error(tmp_path):
    path = tmp_path / "full.mp4"
    write_video(path, torch.randint(0, 255, (8, 32, 32, 3), dtype=torch.uint8), fps=10)
    data = path.read_bytes()
    truncated = tmp_path / "truncated.mp4"
    truncated.write_bytes(data[: len(data) // 2])
    with pytest.raises(VideoReadError, match="truncated"):
        read_video(truncated)


def test_a_box_on_the_file_lands_where_the_crop_and_resize_put_its_pixels():
    image = torch.zeros(1, 3, 90, 160)  # wider than the square camera: the centre 90 x 90 columns 35..125 are kept
    image[..., 20:50, 55:85] = 1.0
    box = crop_resize_box((55, 20, 85, 50), (90, 160), (45, 45))
    assert box == (10, 10, 25, 25)
    resized = resize_frames((image[0].permute(1, 2, 0) * 255).to(torch.uint8)[None], (45, 45))[0, ..., 0] > 127
    rows, cols = resized.any(1).nonzero().flatten(), resized.any(0).nonzero().flatten()
    assert (int(cols[0]), int(rows[0]), int(cols[-1]) + 1, int(rows[-1]) + 1) == box
    assert crop_resize_box((0, 0, 30, 90), (90, 160), (45, 45)) is None  # in the cropped-off margin
    assert crop_resize_box((20, 0, 60, 90), (90, 160), (45, 45)) == (0, 0, 12, 45)  # clipped to what is kept


def test_letterbox_fits_on_white_and_its_box_inverts_it():
    wide = torch.zeros(40, 80, 3, dtype=torch.uint8)  # 1:2, into a square
    canvas, box = letterbox(wide, (64, 64))
    assert box == (16, 0, 32, 64)
    assert bool((canvas[:16] == 255).all()) and bool((canvas[48:] == 255).all())
    assert bool((canvas[16:48] == 0).all())
    top, left, height, width = box
    back = resize_frames(canvas[None, top : top + height, left : left + width], (40, 80))
    assert torch.equal(back[0], wide)


def test_unletterbox_inverts_letterbox_on_a_video_and_drops_the_bars():
    ramp = torch.arange(48, dtype=torch.uint8).repeat(32, 1) * 4  # a smooth 32x48 image, dark at the left
    image = torch.stack([ramp, ramp.flip(1), torch.full_like(ramp, 60)], dim=-1)
    canvas, box = letterbox(image, (64, 192))  # 2x, centred between white bars 48 px wide
    assert box == (0, 48, 64, 96)
    video = canvas.expand(3, -1, -1, -1)
    back = unletterbox(video, box, (32, 48))
    assert back.shape == (3, 32, 48, 3)
    assert (back.int() - image.int()).abs().max() <= 2  # bilinear up, antialiased down: back up to rounding
    shifted = unletterbox(video, (0, 40, 64, 96), (32, 48))  # a box 8 px off takes in the white bar
    assert (shifted.int() - image.int()).abs().max() > 100
