"""Shared test setup: everything runs offline on the CPU."""

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("MUJOCO_GL", "egl")  # headless MuJoCo rendering (sim2sim's video): set before mujoco is imported


import pytest  # noqa: E402


@pytest.fixture(scope="session")
def tiny_encoder_dir(tmp_path_factory):
    """A folder holding a tiny random TimeSformer (see ``tiny_models.save_tiny_encoder``)."""
    from tiny_models import save_tiny_encoder

    folder = tmp_path_factory.mktemp("tiny_timesformer")
    save_tiny_encoder(folder)
    return folder
