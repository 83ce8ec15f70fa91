"""One NIL-H1-Walk env (2 envs, CPU) trained against a tiny reference bundle, shared by the reward tests.

The bundle is made from the simulator itself: a first env renders a zero-action rollout after a seeded
reset (frames and masks of env 0 at the reference frame times), a tiny random TimeSformer embeds it, and
the env under test is made with that bundle. The camera renders at the tiny encoder's 32 px, so frames go
into the encoder unresized. Isaac Lab keeps one simulation per process: the first env is closed first.
"""

import pytest

from .tiny_reference import NUM_ENVS, NUM_FRAMES, OVERRIDES, SEED, bundle_overrides, render_reference


@pytest.fixture(scope="package")
def bundle_dir(tmp_path_factory, tiny_encoder_dir):
    """A bundle of the rendered rollout, made as ``nil generate`` would for this env."""
    from isaaclab_nil.envs.factory import make_env, make_env_cfg
    from isaaclab_nil.envs.mdp.commands import follow_camera_spec
    from isaaclab_nil.reference.bundle import BundleSource, write_bundle
    from isaaclab_nil.reference.encoder import VideoEncoder

    cfg = make_env_cfg("NIL-H1-Walk", num_envs=NUM_ENVS, device="cpu", overrides=OVERRIDES)
    env = make_env("NIL-H1-Walk", cfg=cfg)
    try:
        frames, masks = render_reference(env, NUM_FRAMES)
    finally:
        env.close()
    reference = cfg.commands.reference
    source = BundleSource(
        robot=reference.embodiment,
        task="NIL-H1-Walk",
        prompt=reference.prompt,
        camera=follow_camera_spec(cfg),
        fps=reference.fps,
        seed=SEED,
        source={"kind": "simulator rollout"},
        segmenter={"kind": "simulator"},
    )
    encoder = VideoEncoder.from_pretrained(str(tiny_encoder_dir))
    return write_bundle(tmp_path_factory.mktemp("bundle") / "h1_walk", source, frames, masks, encoder)


@pytest.fixture(scope="package")
def nil_env(bundle_dir):
    from isaaclab_nil.envs.factory import make_env

    env = make_env("NIL-H1-Walk", num_envs=NUM_ENVS, device="cpu", overrides=bundle_overrides(bundle_dir))
    yield env
    env.close()
