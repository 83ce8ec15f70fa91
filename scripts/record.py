"""Roll out a NIL task's env and write an mp4 of the follow camera: RGB | robot mask, side by side.

    python scripts/record.py --task NIL-H1-Walk --policy random --steps 150 --out outputs/h1_rollout.mp4

The policy is ``zero`` (hold the default pose) or ``random`` (uniform actions in [-1, 1]).
``--png`` also saves the middle frame as a picture.
"""

from __future__ import annotations

import argparse
from pathlib import Path


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
    from isaaclab_nil.evaluation.rollout import film, random_policy, run_episode, zero_policy
    from isaaclab_nil.reference.video_io import write_video

    env = make_env(args.task, num_envs=1, device=args.device)
    env.seed(args.seed)
    policy = zero_policy(env) if args.policy == "zero" else random_policy(env, args.seed)
    pictures = film(run_episode(env, policy, args.steps))
    fps = env.cfg.commands.reference.fps
    env.close()

    path = write_video(args.out, pictures, fps=fps)
    print(f"[record] wrote {len(pictures)} frames to {path}")
    if args.png is not None:
        from PIL import Image

        args.png.parent.mkdir(parents=True, exist_ok=True)
        Image.fromarray(pictures[len(pictures) // 2].numpy()).save(args.png)
        print(f"[record] wrote {args.png}")
    return path


if __name__ == "__main__":
    main()
