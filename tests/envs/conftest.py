"""One small NIL-H1-Walk env (2 envs, CPU) shared by the env tests: creating one takes ~10 s."""

import pytest

NUM_ENVS = 2


@pytest.fixture(scope="package")
def h1_env():
    from isaaclab_nil.envs.factory import make_env

    env = make_env("NIL-H1-Walk", num_envs=NUM_ENVS, device="cpu")
    env.seed(0)
    yield env
    env.close()
