"""NIL's own off-policy learners for NIL tasks, as the agent configs ``scripts/train.py --agent sac|bro`` loads
(entry points ``sac_cfg_entry_point`` and ``bro_cfg_entry_point``, and ``sac_large_cfg_entry_point`` and
``bro_large_cfg_entry_point`` for the massively parallel recipe); ``agent.<field>=<value>`` overrides them.
:func:`~isaaclab_nil.tasks.registry.recipe_entry_point` picks the recipe by the number of envs.
"""

from isaaclab.utils import configclass

from isaaclab_nil.learning import BroCfg, OffPolicyRunnerCfg, SacCfg


@configclass
class NILSacRunnerCfg(OffPolicyRunnerCfg):
    algorithm: SacCfg = SacCfg()


@configclass
class NILBroRunnerCfg(OffPolicyRunnerCfg):
    algorithm: BroCfg = BroCfg()


LARGE_ALGORITHM = {
    "batch_size": 1024,
    "replay_ratio": 4,
    "tau": 0.1,
    "critic_distribution": "categorical",
    "num_atoms": 101,
    "v_min": -10.0,
    "v_max": 10.0,
    "amp": True,
    "compile": "cuda",
}
"""The learner settings both large recipes share. ``batch_size`` is the smallest batch (``batch_size_per_env``
sizes it); 4 updates per env step (FastTD3's H1, between its 2 and FastSAC's 8): with 8 transitions per env
and update, each collected transition is sampled 32 times, as FastTD3's H1 (32768 x 4 / 4096). Polyak tau 0.1
(FastTD3; FastSAC 0.125) for the many updates. A categorical critic of 101 atoms (FastSAC) on [-10, 10]
(FastTD3's Isaac Lab support: it holds NIL's returns at ``reward_scale`` 1, whose terms Isaac Lab scales by the
0.02 s control period; widen it with ``reward_scale``), whose cross-entropy costs little at these batches where
BRO's quantile Huber loss, quadratic in the 100 quantiles, dominates the update. bf16 autocast and
``torch.compile`` as both, on CUDA only (on the CPU bf16 does not apply and compiling bought nothing,
``benchmarks/results/learner_cpu.md``; compiling costs the first updates a minute or more)."""


@configclass
class LargeRunnerCfg(OffPolicyRunnerCfg):
    """The runner settings of the large recipes. FastTD3 (github.com/younggyoseo/FastTD3,
    ``fast_td3/hyperparams.py``, ``IsaacLabArgs``) trains Isaac Lab tasks with 4096 envs, batches of 32768 (8 per
    env), 2 updates per env step (4 for H1), 10240 transitions per env and learns from env step 10; holosoma's
    FastSAC (github.com/amazon-far/holosoma, ``config_values/algo.py``) with batches of 8192, 8 updates per env
    step and 1024 transitions per env, from env step 10. Here: 8 transitions per env and update (8192 at 1024
    envs, 32768 from 4096 on) and 1024 transitions per env (4M, 2.5 GB for NIL-H1-Walk at 4096 envs). The
    replay buffer is not saved with checkpoints (GBs; a resumed run refills it in ``learning_starts`` env steps)."""

    learning_starts: int = 10
    buffer_size_per_env: int = 1024
    batch_size_per_env: int = 8
    max_batch_size: int = 32_768
    save_replay_buffer: bool = False


@configclass
class NILSacLargeRunnerCfg(LargeRunnerCfg):
    """SAC for hundreds to thousands of envs on a GPU (FastSAC's recipe on NIL's SAC): ``LargeRunnerCfg``,
    ``LARGE_ALGORITHM`` and FastSAC's network sizes, an actor 512 and critics 768 wide with layer norm (FastSAC's
    three hidden layers narrow by halves; here they keep their width)."""

    algorithm: SacCfg = SacCfg(
        actor_hidden_dim=512, actor_depth=3, critic_hidden_dim=768, critic_depth=3, layer_norm=True, **LARGE_ALGORITHM
    )


@configclass
class NILBroLargeRunnerCfg(LargeRunnerCfg):
    """BRO for hundreds to thousands of envs on a GPU: BRO's networks, optimism and resets with
    ``LargeRunnerCfg`` and ``LARGE_ALGORITHM`` (a categorical critic instead of BRO's 100 quantiles)."""

    algorithm: BroCfg = BroCfg(**LARGE_ALGORITHM)
