"""Command-line overrides of the learner and runner configs."""

import pytest

from isaaclab_nil.learning import BroCfg, RunnerCfg
from isaaclab_nil.workflows import apply_dataclass_overrides, split_overrides


def test_overrides_are_parsed_as_the_fields_types():
    cfg = apply_dataclass_overrides(
        BroCfg(), ["batch_size=512", "tau=0.01", "reset_steps=(1000,2000)", "temperature_betas=0.9,0.99"]
    )
    assert cfg.batch_size == 512 and cfg.tau == 0.01
    assert cfg.reset_steps == (1000, 2000) and cfg.temperature_betas == (0.9, 0.99)
    runner = apply_dataclass_overrides(RunnerCfg(), ["progress_bar=false", "freeze_obs_normalizer_after=500"])
    assert runner.progress_bar is False and runner.freeze_obs_normalizer_after == 500


def test_overrides_are_split_by_prefix_and_unknown_ones_refused():
    env, agent, runner = split_overrides(["env.scene.num_envs=8", "agent.tau=0.01", "runner.seed=3"])
    assert env == ["env.scene.num_envs=8"] and agent == ["tau=0.01"] and runner == ["seed=3"]
    with pytest.raises(SystemExit, match="must look like"):
        split_overrides(["batch_size=3"])
    with pytest.raises(SystemExit, match="unknown field 'batchsize'"):
        apply_dataclass_overrides(BroCfg(), ["batchsize=3"])
