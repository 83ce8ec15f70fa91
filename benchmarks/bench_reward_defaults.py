"""Which video similarity lets a free robot's NIL reward pay for staying up: per-step terms of four policies.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/bench_reward_defaults.py --seconds 1.5 --policy_seconds 1  # 33 min
    .venv/bin/python benchmarks/bench_reward_defaults.py --show  # print the committed results

A simulated known-answer bundle of NIL-H1-Walk (``nil generate --known-answer walk --simulated``, ``--seconds``
long at the task's 24 fps and 224 px camera: the walk's joint positions played as targets through PD and physics
from the exact default pose, filmed while the robot stays up) is embedded by ``--encoder`` or else TimeSformer-base
with random weights (the architecture of ``transformers.TimesformerConfig()``, saved and loaded through
``from_pretrained``: no hub here). One env without reset noise (``nil generate``'s nominal env) then runs one
episode of each policy: ``replay`` (the known answer's joint targets; first, in the fresh env, so that it
reproduces the reference), ``zero`` (hold the default pose), ``random`` (uniform actions in [-1, 1]) and ``fall``
(a large constant action: the robot collapses at once). At every
control step it records what the reward terms saw (the clip embedding of the env's frame, the reference's, the mask
IoU, the frame's share of the step) and the weighted P terms, and computes S_video three ways from the same
embeddings: ``neg_l2`` (paper v1), ``cosine`` (the CVPR revision) and ``scaled_l2`` (the negative L2 over the
reference's own embedding spread, the mean distance of its embeddings from their mean). The episode return of each
is step_dt * sum over steps of (alpha S_video + beta IoU) * share + P, with the task's weights (alpha = beta = 1).

Random weights: the embeddings are a fixed random function of the masked clips, so the figures say how large the
terms are and how they order the policies, not how well a pretrained encoder recognises the walk.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

RESULTS = Path(__file__).parent / "results" / "reward_defaults_base224"
TASK = "NIL-H1-Walk"
KINDS = ("neg_l2", "cosine", "scaled_l2")
POLICIES = ("replay", "zero", "random", "fall")
FALL_ACTION = 4.0
"""The fall policy's action on every joint (x the action scale 0.25: 1 rad off the default pose)."""


def make_reference(out: Path, seconds: float, seed: int, encoder: str | None) -> Path:
    """The simulated known-answer walk bundle (``nil generate``), embedded by ``encoder`` or TimeSformer-base with
    random weights; made once per ``out`` (a second run with the same ``--out`` reuses it)."""
    bundle = out / "reference"
    if (bundle / "meta.json").is_file():
        return bundle
    if encoder is None:
        import transformers

        from isaaclab_nil.reference.encoder import save_random_encoder

        encoder = out / "timesformer_base_random"
        save_random_encoder(encoder, transformers.TimesformerConfig(), seed=seed)
    frames = round(seconds * 24)
    nil = Path(sys.executable).parent / "nil"
    command = [str(nil), "generate", "--task", TASK, "--known-answer", "walk", "--simulated", "--frames", str(frames)]
    command += ["--encoder", str(encoder), "--device", "cpu", "--out", str(bundle)]
    subprocess.run(command, check=True)
    return bundle


def run_policy(env, policy, kinds_spread: float, max_steps: int) -> dict:
    """One episode of ``policy`` (at most ``max_steps``): per-step records and the returns under each similarity."""
    import torch

    from isaaclab_nil.envs.reward_presets import REGULARIZATION_TERMS
    from isaaclab_nil.metrics import video_similarity

    command = env.command_manager.get_term("reference")
    rewards = env.reward_manager
    p_columns = [rewards.active_terms.index(name) for name in REGULARIZATION_TERMS]
    seen = {}
    update = command.update

    def recording_update():  # what the reward terms see, before a fall's reset clears it
        update()
        seen.update(
            share=float(command.step_share[0]),
            iou=float(command.iou[0]),
            frame=int(command.frame[0]),
            embedding=command.embedding[0].clone(),
        )

    command.update = recording_update
    steps, fell = [], False
    with torch.inference_mode():
        env.seed(0)
        obs, _ = env.reset()
        for _ in range(max_steps):
            obs, _, terminated, truncated, _ = env.step(policy(obs["policy"]))
            reference = command.bundle.embeddings[max(seen["frame"], 0)]
            z = seen["embedding"]
            similarity = {
                "neg_l2": float(video_similarity(z, reference, "neg_l2")),
                "cosine": float(video_similarity(z, reference, "cosine")),
            }
            similarity["scaled_l2"] = similarity["neg_l2"] / kinds_spread
            steps.append(
                {"share": seen["share"], "iou": seen["iou"], "frame": seen["frame"], "similarity": similarity}
                | {"p": float(rewards._step_reward[0, p_columns].sum())}
            )
            if bool(terminated[0]) or bool(truncated[0]):
                fell = bool(terminated[0])
                break
    command.update = update
    return summarize(steps, fell, env.step_dt)


def summarize(steps: list[dict], fell: bool, step_dt: float) -> dict:
    """Per-frame means of S_video (each kind) and IoU, per-step mean P, and the episode returns."""
    frames = {}
    for step in steps:
        if step["share"] > 0:
            frames[step["frame"]] = step
    count = max(len(frames), 1)
    p = sum(step["p"] for step in steps)
    returns = {
        kind: step_dt * sum((s["similarity"][kind] + s["iou"]) * s["share"] + s["p"] for s in steps) for kind in KINDS
    }
    return {
        "steps": len(steps),
        "seconds": len(steps) * step_dt,
        "fell": fell,
        "frames": len(frames),
        "s_video_per_frame": {kind: sum(f["similarity"][kind] for f in frames.values()) / count for kind in KINDS},
        "iou_per_frame": sum(f["iou"] for f in frames.values()) / count,
        "p_per_step": p / max(len(steps), 1),
        "return": returns,
        "return_p": step_dt * p,
    }


def measure(bundle: Path, args: argparse.Namespace) -> dict:
    import torch

    from isaaclab_nil.cli.generate import nominal_env
    from isaaclab_nil.evaluation.rollout import random_policy, replay_policy, zero_policy
    from isaaclab_nil.reference.ground_truth import GROUND_TRUTH_FILE, GroundTruth

    env = nominal_env(TASK, overrides=[f"env.commands.reference.bundle={bundle}"])
    try:
        embeddings = env.command_manager.get_term("reference").bundle.embeddings
        spread = float(torch.linalg.vector_norm(embeddings - embeddings.mean(0), dim=-1).mean())
        actions = (env.num_envs, env.action_manager.total_action_dim)
        policies = {
            "replay": replay_policy(env, GroundTruth.load(bundle / GROUND_TRUTH_FILE)),
            "zero": zero_policy(env),
            "random": random_policy(env, seed=args.seed),
            "fall": lambda obs: torch.full(actions, FALL_ACTION),
        }
        steps = env.max_episode_length if args.policy_seconds is None else round(args.policy_seconds / env.step_dt)
        results = {name: run_policy(env, policies[name], spread, int(steps)) for name in POLICIES}
        norm = float(torch.linalg.vector_norm(embeddings, dim=-1).mean())
    finally:
        env.close()
    return {
        "frames": len(embeddings),
        "reference_embedding_norm": norm,
        "reference_embedding_spread": spread,
        "policies": results,
    }


def report_markdown(report: dict) -> str:
    lines = [
        f"# NIL reward of four policies under three video similarities ({TASK}, TimeSformer-base random, 224 px)",
        "",
        f"Command: `{report['command']}` (seed {report['seed']})",
        "",
        f"Date {report['date']}, commit {report['commit']}, {report['machine']}; "
        f"wall time {report['wall_min']:.1f} min.",
        "",
        f"Reference: `nil generate --known-answer walk --simulated`, {report['frames']} frames at 24 fps; one env "
        "without reset noise, replay first (a fresh env); mean embedding norm "
        f"{report['reference_embedding_norm']:.2f}, spread (mean distance from the mean) "
        f"{report['reference_embedding_spread']:.3f}. Weights alpha = beta = 1, P at the task's weights. Each policy's "
        f"episode: until it falls or {report['policy_seconds'] or report['frames'] / 24:g} s.",
        "",
        "| policy | episode [s] | fell | frames | S neg_l2 /frame | S cosine /frame | S scaled_l2 /frame | IoU /frame "
        "| P /step | return neg_l2 | return cosine | return scaled_l2 |",
        "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, r in report["policies"].items():
        s, ret = r["s_video_per_frame"], r["return"]
        lines.append(
            f"| {name} | {r['seconds']:.2f} | {'yes' if r['fell'] else 'no'} | {r['frames']} | {s['neg_l2']:.3f} | "
            f"{s['cosine']:.4f} | {s['scaled_l2']:.3f} | {r['iou_per_frame']:.3f} | {r['p_per_step']:.3f} | "
            f"{ret['neg_l2']:.2f} | {ret['cosine']:.3f} | {ret['scaled_l2']:.2f} |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=4.0, help="length of the reference (and of an episode)")
    parser.add_argument("--seed", type=int, default=0, help="encoder weights and the random policy")
    parser.add_argument(
        "--policy_seconds", type=float, help="cut each policy's episode after this long (default: the reference's)"
    )
    parser.add_argument("--encoder", help="TimeSformer hub id or folder (default: base architecture, random weights)")
    parser.add_argument("--out", type=Path, help="work folder (default: a temporary one)")
    parser.add_argument("--results", type=Path, default=RESULTS, help="where to write <results>.json and .md")
    parser.add_argument("--show", action="store_true", help="print the saved results instead of measuring")
    args = parser.parse_args()
    if args.show:
        print(args.results.with_suffix(".md").read_text())
        return
    start = time.perf_counter()
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    with tempfile.TemporaryDirectory() as temporary:
        out = args.out or Path(temporary)
        bundle = make_reference(out, args.seconds, args.seed, args.encoder)
        report = measure(bundle, args)
    report = {
        "command": " ".join(["OMP_NUM_THREADS=" + os.environ.get("OMP_NUM_THREADS", "unset"), *sys.argv]),
        "seed": args.seed,
        "date": datetime.now(UTC).date().isoformat(),
        "commit": commit,
        "machine": f"{os.cpu_count()} CPU cores ({platform.machine()}), shared, no GPU",
        "policy_seconds": args.policy_seconds,
        "wall_min": (time.perf_counter() - start) / 60,
        **report,
    }
    args.results.parent.mkdir(parents=True, exist_ok=True)
    args.results.with_suffix(".json").write_text(json.dumps(report, indent=2))
    args.results.with_suffix(".md").write_text(report_markdown(report))
    print(report_markdown(report))


if __name__ == "__main__":
    main()
