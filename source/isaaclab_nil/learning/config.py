"""Isaac Lab ``@configclass`` configs of the off-policy learners and of the runner that holds one.

Units used throughout:
  * an "env step" is one call of the vectorized ``env.step`` (it collects ``num_envs`` transitions);
  * ``replay_ratio`` is the number of gradient updates per env step, each on a freshly sampled batch.
    With a single environment this is the replay ratio of the BRO paper; with ``num_envs`` parallel
    environments the updates-per-transition ratio is ``replay_ratio / num_envs``.

Two recipes per learner (``isaaclab_nil.agents.off_policy_cfg``): the small one (the papers' settings, for a
handful of envs) and the massively parallel ``*Large`` one (batch and replay buffer grown with ``num_envs``,
several updates per env step, a categorical critic, bf16 and ``torch.compile`` on CUDA), after FastTD3 and
holosoma's FastSAC.
"""

from __future__ import annotations

from isaaclab.utils import configclass


@configclass
class SacCfg:
    """Soft Actor-Critic (Haarnoja et al., 2018, "Soft Actor-Critic Algorithms and Applications").

    Defaults follow the SAC paper: 2 hidden layers of 256 units for actor and critics, Adam with
    learning rate 3e-4, batch size 256, discount 0.99, Polyak tau 0.005, one update per env step,
    learned temperature with target entropy ``-action_dim``, clipped double-Q (the minimum of the two
    critics, written here as ``mean - 1.0 * std`` over the two-member ensemble).
    """

    actor_hidden_dim: int = 256
    actor_depth: int = 2
    """Hidden layers of the actor MLP (SAC) / residual blocks of the actor BroNet (BRO)."""
    critic_hidden_dim: int = 256
    critic_depth: int = 2
    """Hidden layers of each critic MLP (SAC) / residual blocks of each critic BroNet (BRO)."""
    num_critics: int = 2
    actor_lr: float = 3e-4
    critic_lr: float = 3e-4
    temperature_lr: float = 3e-4
    temperature_betas: tuple[float, float] = (0.9, 0.999)
    weight_decay: float = 0.0
    """Decoupled (AdamW) weight decay of actor and critic parameters; 0 means plain Adam."""
    gamma: float = 0.99
    tau: float = 0.005
    batch_size: int = 256
    replay_ratio: int = 1
    """Gradient updates per env step, each on a fresh batch."""
    init_temperature: float = 1.0
    target_entropy: float | None = None
    """None means the algorithm default: ``-action_dim`` for SAC, ``-action_dim / 2`` for BRO."""
    late_target_entropy: float | None = None
    """The target entropy from env step ``late_target_entropy_from`` on (None: ``target_entropy`` throughout).
    Much exploration noise early, little late: the policy's mean, which evaluation and export act with, then
    settles where it scores best instead of where it scores best under that noise (the quadrupeds on a
    gantry, ``docs/evaluation.md``)."""
    late_target_entropy_from: int = 0
    pessimism: float = 1.0
    """beta in ``Q = mean - beta * std`` over the critic ensemble, used by the actor loss and the TD
    target. With two critics, beta=1 is exactly the clipped double-Q minimum of SAC."""
    log_std_min: float = -10.0
    log_std_max: float = 2.0
    """The actor's log-std is squashed smoothly into [log_std_min, log_std_max] (official BRO code;
    the SAC paper clips to [-20, 2])."""
    reset_steps: tuple[int, ...] = ()
    """Env steps after which all networks, the temperature and all optimizers are re-initialised."""
    layer_norm: bool = False
    """LayerNorm after each hidden layer of SAC's MLPs (FastSAC's ``use_layer_norm``; BRO's BroNets always have it)."""
    critic_distribution: str = "none"
    """What each critic predicts (``learning.distributional``): "none" one Q value (SAC), "quantile"
    ``num_quantiles`` quantiles trained by the quantile Huber loss (BRO), "categorical" the logits of a
    distribution on ``num_atoms`` atoms evenly spaced in [v_min, v_max] trained by cross-entropy to the C51
    projection of the soft TD target (FastTD3, FastSAC). With a categorical critic the TD target takes, per
    sample, the distribution of the target critic of the lowest mean if ``pessimism > 0`` (clipped double-Q,
    as FastTD3 and FastSAC), else the mixture of all target critics'."""
    num_quantiles: int = 100
    """Quantiles per critic with ``critic_distribution="quantile"``."""
    num_atoms: int = 101
    """Atoms of a categorical critic (FastSAC: 101; FastTD3: 101, 251 for its Isaac Lab tasks)."""
    v_min: float = -10.0
    v_max: float = 10.0
    """Support of a categorical critic (FastTD3's Isaac Lab tasks: [-10, 10]; FastSAC: [-20, 20]). It must hold
    the discounted returns, about ``reward_scale * reward per step / (1 - gamma)``: values outside are clamped."""
    amp: bool = False
    """bf16 autocast of the update's forward passes on CUDA (FastTD3, FastSAC); ignored on the CPU. Losses,
    log-probabilities and parameters stay float32."""
    compile: str = "off"
    """``torch.compile`` of the update's loss computations (the optimizer steps stay eager): "off", "cuda" (on a
    GPU only: the large recipes) or "always". The first updates then take a minute or more to compile; on the CPU
    it buys nothing (``benchmarks/results/learner_cpu.md``), so "cuda" leaves it off there."""
    compile_mode: str = "default"
    """``torch.compile`` mode. "reduce-overhead" adds CUDA graphs (FastTD3's choice); untested here (no GPU so far),
    and a graph's outputs are overwritten by its next replay, so the logged scalars would need copying first."""


@configclass
class BroCfg(SacCfg):
    """BRO (Nauman et al., NeurIPS 2024, "Bigger, Regularized, Optimistic").

    Defaults follow the paper's hyperparameter table and the official code
    (github.com/naumix/BiggerRegularizedOptimistic): BroNet critic of width 512 with 2 residual
    blocks, BroNet actor of width 256 with 1 block, AdamW (weight decay 1e-4) with learning rate 3e-4,
    batch size 128, 100 quantiles per critic (``critic_distribution="quantile"``), two critics, no pessimism
    (beta=0, "non-pessimistic quantile Q-learning"), target entropy ``-action_dim / 2``, temperature Adam with
    beta1=0.5, optimistic exploration with KL target 0.05, std multiplier 0.75, initial optimism 1.0, initial
    KL weight 0.25, both adapted by Adam (lr 3e-5, beta1=0.5). Replay ratio 2 is the paper's
    compute-efficient "BRO (Fast)" setting (the default BRO uses 10), for which the official code
    performs a single full reset after 15k env steps. The RR=10 schedule is
    ``(15_000, 50_000, 250_000, 500_000, 750_000, 1_000_000, 1_500_000, 2_000_000)``.
    """

    actor_hidden_dim: int = 256
    actor_depth: int = 1
    critic_hidden_dim: int = 512
    critic_depth: int = 2
    temperature_betas: tuple[float, float] = (0.5, 0.999)
    weight_decay: float = 1e-4
    batch_size: int = 128
    replay_ratio: int = 2
    pessimism: float = 0.0
    reset_steps: tuple[int, ...] = (15_000,)
    critic_distribution: str = "quantile"
    kl_target: float = 0.05
    """Target of the per-action-dimension KL between optimistic and conservative policies."""
    std_multiplier: float = 0.75
    """Std of the optimistic exploration policy relative to the conservative one."""
    init_optimism: float = 1.0
    init_kl_weight: float = 0.25
    dual_lr: float = 3e-5
    dual_betas: tuple[float, float] = (0.5, 0.999)


@configclass
class OffPolicyRunnerCfg:
    """The learner (``algorithm``) and the runner's data collection, normalisation, logging and
    checkpointing (all step counts are env steps)."""

    algorithm: SacCfg = SacCfg()
    """The learner: a ``SacCfg`` trains SAC, a ``BroCfg`` BRO."""
    seed: int = 0
    buffer_size: int = 1_000_000
    """Replay capacity in transitions (shared by all parallel envs), unless ``buffer_size_per_env`` is set."""
    buffer_size_per_env: int = 0
    """When > 0, the replay capacity is this many transitions per env, ``buffer_size_per_env * num_envs``, as
    FastTD3 and FastSAC size it."""
    batch_size_per_env: int = 0
    """When > 0, the batch is ``batch_size_per_env * num_envs`` transitions, at least ``algorithm.batch_size`` and
    at most ``max_batch_size``: the transitions learned per transition collected,
    ``batch * replay_ratio / num_envs``, then stay the same from a few hundred to thousands of envs."""
    max_batch_size: int = 32_768
    """Upper bound of a batch sized by ``batch_size_per_env`` (FastTD3's batch with 4096 envs)."""
    learning_starts: int = 2_500
    """Env steps of uniformly random actions before the policy acts and updates begin (BRO paper:
    2500 with one env; scale it down for many parallel envs, it collects ``num_envs`` per step)."""
    reward_scale: float = 1.0
    """Multiplies the rewards the learner sees (logged episode returns stay unscaled). Isaac Lab multiplies
    every reward term by the control period (0.02 s for NIL tasks): ``1 / step_dt`` brings per-step rewards
    back to order one, the scale SAC's default temperature is made for."""
    normalize_obs: bool = True
    obs_clip: float = 10.0
    """Normalised observations are clipped to [-obs_clip, obs_clip]."""
    freeze_obs_normalizer_after: int | None = None
    """Stop updating the observation statistics after this many env steps (None: never)."""
    log_interval: int = 100
    save_interval_s: float = 120.0
    """Save a checkpoint when this many seconds of wall-clock time have passed since the last one (0: never).
    Time, not steps, because the speed of a run spans orders of magnitude (a few env steps per second with
    2 CPU envs, thousands of transitions per second on a GPU): two minutes bound the work a kill loses on
    any machine. A save costs little next to them (``benchmarks/bench_checkpoint.py``, 2 CPU cores): 0.07 s for
    BRO's 41 MB of networks and optimizers, 0.3 s with a replay buffer of 100k transitions (68 MB), 2.1 s
    with a full one of 1M (676 MB)."""
    save_interval: int = 0
    """Also save every this many env steps (0: only by time), for checkpoints at round, reproducible steps."""
    keep_checkpoints: int = 3
    """Checkpoints (``model_<step>.pt``) kept in the run folder, the newest by step (0: all): the latest and two
    to fall back on should it be damaged, 123 MB for BRO."""
    save_replay_buffer: bool = True
    """Save the filled part of the replay buffer with each checkpoint (``replay_buffer_<step>.pt``, only the
    newest is kept), so that a resumed run continues with it. Without it, a resumed run first collects
    ``learning_starts`` env steps with its policy before updating again."""
    progress_bar: bool = True

    def batch_size(self, num_envs: int) -> int:
        """Transitions per update with ``num_envs`` parallel envs."""
        if self.batch_size_per_env <= 0:
            return self.algorithm.batch_size
        return max(self.algorithm.batch_size, min(self.batch_size_per_env * num_envs, self.max_batch_size))

    def replay_capacity(self, num_envs: int) -> int:
        """Replay buffer capacity in transitions with ``num_envs`` parallel envs."""
        return self.buffer_size_per_env * num_envs if self.buffer_size_per_env > 0 else self.buffer_size
