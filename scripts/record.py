"""Roll out a NIL task's env and write an mp4 of the follow camera: RGB | robot mask, side by side.

    python scripts/record.py --task NIL-H1-Walk --policy random --steps 150 --out outputs/h1_rollout.mp4

The policy is ``zero`` (hold the default pose) or ``random`` (uniform actions in [-1, 1]).
``--png`` also saves one frame as a picture.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import torch


def side_by_side(rgb: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """(H, W, 3) uint8 RGB and (H, W) bool mask -> (H, 2W, 3) uint8 picture."""
    mask_rgb = (mask.to(torch.uint8) * 255).unsqueeze(-1).expand(*mask.shape, 3)
    return torch.cat((rgb, mask_rgb), dim=1)


def main(argv: list[str] | None = None) -> Path:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--task", default="NIL-H1-Walk")
    parser.add_argument("--policy", choices=("zero", "random"), default="zero")
    parser.add_argument("--steps", type=int, default=150, help="control steps to roll out")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=Path("outputs/rollout.mp4"))
    parser.add_argument("--png", type=Path, default=None, help="also save the frame at the middle of the rollout")
    args = parser.parse_args(argv)

    from isaaclab_nil.envs.factory import make_env
    from isaaclab_nil.reference.video_io import write_video

    torch.manual_seed(args.seed)
    env = make_env(args.task, num_envs=1, device=args.device)
    env.seed(args.seed)
    env.reset()
    frames, last_frame = [], -1
    fps = env.cfg.reference.fps
    for step in range(args.steps):
        if args.policy == "zero":
            action = torch.zeros(env.num_envs, env.action_manager.total_action_dim, device=env.device)
        else:
            action = 2.0 * torch.rand(env.num_envs, env.action_manager.total_action_dim, device=env.device) - 1.0
        env.step(action)
        frame = int((step + 1) * env.step_dt * fps + 1e-6)  # video frame this control step falls in
        if frame != last_frame:
            rgb, mask = env.robot_frames()
            frames.append(side_by_side(rgb[0], mask[0]).cpu())
            last_frame = frame
    env.close()

    video = torch.stack(frames)
    path = write_video(args.out, video, fps=fps)
    print(f"[record] wrote {len(frames)} frames to {path}")
    if args.png is not None:
        from PIL import Image

        args.png.parent.mkdir(parents=True, exist_ok=True)
        Image.fromarray(video[len(video) // 2].numpy()).save(args.png)
        print(f"[record] wrote {args.png}")
    return path


if __name__ == "__main__":
    main()
