"""Off-policy training loop for batched (Isaac Lab style) environments: collect, update, log, checkpoint.

Env protocol (Isaac Lab's ``ManagerBasedRLEnv`` after ``gym.make``): ``num_envs``, ``device``,
``obs, extras = env.reset()``, ``obs, reward, terminated, truncated, extras = env.step(action)``, with
the policy observation at ``obs["policy"]`` (num_envs, obs_dim). Finished envs are auto-reset inside
``step``; if ``extras["final_obs"]["policy"]`` holds the last observation of those episodes it is used
as their ``next_obs``. Otherwise the reset observation is used (with a warning): time-outs then
bootstrap from the wrong state. Isaac Lab puts per-term episode statistics in ``extras["log"]``.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import re
import tempfile
import time
import warnings
from collections import deque
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, BinaryIO

import torch
from tqdm.auto import tqdm

from .bro import BRO
from .config import BroCfg, OffPolicyRunnerCfg, SacCfg
from .networks import ObsNormalizer
from .replay_buffer import Batch, ReplayBuffer
from .sac import SAC

ALGORITHMS: dict[type[SacCfg], type[SAC]] = {SacCfg: SAC, BroCfg: BRO}
CHECKPOINT_KEYS = (
    "format_version",
    "global_step",
    "num_updates",
    "algo",
    "normalizer",
    "rng",
    "replay_buffer",
    "agent_cfg",
    "agent_cfg_class",
    "algorithm_cfg_class",
)
CHECKPOINT_VERSION = 2
"""2: the agent config as ``OffPolicyRunnerCfg.to_dict()`` plus the classes of it and of its algorithm
(1: separate learner and runner dataclasses)."""


def algorithm_class(algo_cfg: SacCfg) -> type[SAC]:
    """The learner for a config: BRO for ``BroCfg`` (and its subclasses), SAC for ``SacCfg``."""
    config_class = next(c for c in type(algo_cfg).__mro__ if c in ALGORITHMS)
    return ALGORITHMS[config_class]


def class_path(cls: type) -> str:
    """``module:ClassName``, as Isaac Lab writes config entry points."""
    return f"{cls.__module__}:{cls.__name__}"


def import_class(path: str, base: type) -> type:
    """The class that ``class_path`` wrote as ``path``; raises ``ValueError`` unless it is ``base`` or a subclass."""
    module, _, name = path.partition(":")
    cls = getattr(importlib.import_module(module), name, None)
    if not (isinstance(cls, type) and issubclass(cls, base)):
        raise ValueError(f"'{path}' is not a {base.__name__} class")
    return cls


def read_checkpoint(path: str | Path, map_location: torch.device | str = "cpu") -> dict:
    """The contents of a checkpoint written by ``OffPolicyRunner.save``; raises ``ValueError`` if the file
    has another format version or lacks a key."""
    state = torch.load(path, map_location=map_location, weights_only=True)
    if state.get("format_version") != CHECKPOINT_VERSION:
        raise ValueError(f"checkpoint {path} has format {state.get('format_version')}, expected {CHECKPOINT_VERSION}")
    missing = [key for key in CHECKPOINT_KEYS if key not in state]
    if missing:
        raise ValueError(f"checkpoint {path} lacks {missing}")
    return state


def configs_from_checkpoint(path: str | Path) -> OffPolicyRunnerCfg:
    """The agent config a checkpoint was trained with (runner settings and ``algorithm``), of the classes it
    was saved with; enough to rebuild its networks."""
    state = read_checkpoint(path)
    fields = state["agent_cfg"]
    algorithm = import_class(state["algorithm_cfg_class"], SacCfg)(**fields["algorithm"])
    return import_class(state["agent_cfg_class"], OffPolicyRunnerCfg)(**{**fields, "algorithm": algorithm})


def get_action_dim(env: Any) -> int:
    """Action dimension from ``env.unwrapped.single_action_space`` (Isaac Lab) or ``env.action_space``."""
    space = getattr(getattr(env, "unwrapped", env), "single_action_space", None)
    if space is None:
        space = env.action_space
    return int(space.shape[-1])


def atomic_write(path: str | Path, write: Callable[[BinaryIO], None]) -> None:
    """Write a file atomically: ``write`` fills a temporary file in the same folder, which is fsynced
    and then renamed over ``path``. On failure the temporary file is removed and ``path`` is untouched."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    with contextlib.suppress(OSError):  # make the rename durable (not supported on every filesystem)
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def _scalar(value: Any) -> float:
    return float(value.float().mean()) if isinstance(value, torch.Tensor) else float(value)


class OffPolicyRunner:
    """Trains the learner of ``cfg.algorithm`` (SAC for a ``SacCfg``, BRO for a ``BroCfg``) on a batched env.
    The constructor seeds torch with ``cfg.seed`` and resets the env once."""

    def __init__(
        self,
        env: Any,
        cfg: OffPolicyRunnerCfg,
        log_dir: str | Path,
        device: torch.device | str | None = None,
    ):
        self.env = env
        self.cfg = cfg
        self.log_dir = Path(log_dir)
        base_env = getattr(env, "unwrapped", env)
        self.num_envs = int(base_env.num_envs)
        self.device = torch.device(device if device is not None else base_env.device)
        torch.manual_seed(cfg.seed)

        obs, _ = env.reset()
        self.obs = obs["policy"].to(self.device)
        obs_dim = self.obs.shape[-1]
        self.action_dim = get_action_dim(env)
        self.algo = algorithm_class(cfg.algorithm)(cfg.algorithm, obs_dim, self.action_dim, self.device)
        self.normalizer = ObsNormalizer(obs_dim, cfg.normalize_obs, cfg.obs_clip).to(self.device)
        self.buffer = ReplayBuffer(cfg.buffer_size, obs_dim, self.action_dim, self.device)

        self.global_step = 0
        """Env steps taken (each collects ``num_envs`` transitions)."""
        self.num_updates = 0
        self.episode_return = torch.zeros(self.num_envs, device=self.device)
        self.episode_length = torch.zeros(self.num_envs, device=self.device)
        self.completed_returns: deque[float] = deque(maxlen=100)
        self.completed_lengths: deque[float] = deque(maxlen=100)
        self.env_log: dict[str, Any] = {}
        self.writer = None
        self._warned_final_obs = False

    # ----------------------------------------------------------------------------------------------
    # Training loop
    # ----------------------------------------------------------------------------------------------

    def learn(self, num_env_steps: int) -> None:
        """Train until ``global_step == num_env_steps``; continues from the current step (e.g. after
        ``resume``), so the same call finishes an interrupted run."""
        from torch.utils.tensorboard import SummaryWriter  # slow import, only needed for training

        if self.writer is None:
            self.writer = SummaryWriter(str(self.log_dir))
        info: dict[str, torch.Tensor] = {}
        window_start = (time.perf_counter(), self.global_step, self.num_updates)
        with tqdm(total=num_env_steps, initial=self.global_step, disable=not self.cfg.progress_bar) as bar:
            while self.global_step < num_env_steps:
                policy_acts = self.global_step >= self.cfg.learning_starts
                self.collect_step(random_actions=not policy_acts)
                self.global_step += 1
                if self.algo.maybe_reset(self.global_step):
                    self.writer.add_scalar("train/full_reset", 1.0, self.global_step)
                if policy_acts:
                    for _ in range(self.cfg.algorithm.replay_ratio):
                        info = self.algo.update(self.sample_batch())
                        self.num_updates += 1
                if self.global_step % self.cfg.log_interval == 0:
                    self.log(info, window_start)
                    window_start = (time.perf_counter(), self.global_step, self.num_updates)
                    if self.completed_returns:
                        bar.set_postfix(ret=f"{self.mean_episode_return():.1f}")
                if self.cfg.save_interval > 0 and self.global_step % self.cfg.save_interval == 0:
                    self.save_checkpoint()
                bar.update(1)
        self.writer.flush()

    def collect_step(self, random_actions: bool) -> None:
        """Act in all envs, store the transitions and track episode statistics."""
        freeze_after = self.cfg.freeze_obs_normalizer_after
        self.normalizer.frozen = freeze_after is not None and self.global_step >= freeze_after
        self.normalizer.update(self.obs)
        if random_actions:
            actions = torch.rand(self.num_envs, self.action_dim, device=self.device) * 2.0 - 1.0
        else:
            actions = self.algo.explore(self.normalizer(self.obs))

        next_obs, rewards, terminated, truncated, extras = self.env.step(actions)
        next_obs = next_obs["policy"].to(self.device)
        rewards = rewards.to(self.device, torch.float32).reshape(self.num_envs)
        terminated = terminated.to(self.device).reshape(self.num_envs).bool()
        dones = terminated | truncated.to(self.device).reshape(self.num_envs).bool()
        any_done = bool(dones.any())

        final_obs = self.final_observation(next_obs, dones, extras) if any_done else next_obs
        self.buffer.add(self.obs, actions, rewards * self.cfg.reward_scale, final_obs, terminated)
        self.track_episodes(rewards, dones, any_done)
        self.env_log.update(extras.get("log", {}))  # latest value of each term, read at log time
        self.obs = next_obs

    def final_observation(self, next_obs: torch.Tensor, dones: torch.Tensor, extras: Mapping) -> torch.Tensor:
        """``next_obs`` with the rows of finished episodes replaced by their last observation before the
        auto-reset, ``extras["final_obs"]["policy"]`` (Isaac Lab sets it when ``cfg.compute_final_obs``)."""
        final = extras.get("final_obs")
        if final is None:
            if not self._warned_final_obs:
                warnings.warn(
                    "env.step gives no extras['final_obs'] (set the env cfg's compute_final_obs = True): the "
                    "reset observation is stored as next_obs of finished episodes, so time-outs bootstrap "
                    "from the wrong state.",
                    stacklevel=3,
                )
                self._warned_final_obs = True
            return next_obs
        if isinstance(final, Mapping):
            final = final["policy"]
        return torch.where(dones.unsqueeze(-1), final.to(self.device), next_obs)

    def track_episodes(self, rewards: torch.Tensor, dones: torch.Tensor, any_done: bool) -> None:
        self.episode_return += rewards
        self.episode_length += 1
        if any_done:
            self.completed_returns.extend(self.episode_return[dones].tolist())
            self.completed_lengths.extend(self.episode_length[dones].tolist())
            self.episode_return[dones] = 0.0
            self.episode_length[dones] = 0.0

    def sample_batch(self) -> Batch:
        """A fresh uniformly sampled batch with observations normalised by the current statistics."""
        batch = self.buffer.sample(self.cfg.algorithm.batch_size)
        return batch._replace(obs=self.normalizer(batch.obs), next_obs=self.normalizer(batch.next_obs))

    def mean_episode_return(self) -> float:
        """Mean return of the last (up to 100) completed episodes."""
        return sum(self.completed_returns) / max(len(self.completed_returns), 1)

    def log(self, info: Mapping[str, torch.Tensor], window_start: tuple[float, int, int]) -> None:
        start_time, start_step, start_updates = window_start
        elapsed = max(time.perf_counter() - start_time, 1e-9)
        step, writer = self.global_step, self.writer
        for key, value in info.items():
            writer.add_scalar(f"train/{key}", _scalar(value), step)
        for key, value in self.env_log.items():
            writer.add_scalar(key, _scalar(value), step)
        if self.completed_returns:
            writer.add_scalar("episode/return", self.mean_episode_return(), step)
            writer.add_scalar("episode/length", sum(self.completed_lengths) / len(self.completed_lengths), step)
        writer.add_scalar("perf/env_steps_per_s", (step - start_step) * self.num_envs / elapsed, step)
        writer.add_scalar("perf/updates_per_s", (self.num_updates - start_updates) / elapsed, step)
        writer.add_scalar("train/num_updates", self.num_updates, step)

    # ----------------------------------------------------------------------------------------------
    # Checkpointing
    # ----------------------------------------------------------------------------------------------

    def save(self, path: str | Path, save_replay_buffer: bool | None = None) -> None:
        """Atomically save everything needed to continue training (replay buffer optional)."""
        if save_replay_buffer is None:
            save_replay_buffer = self.cfg.save_replay_buffer
        state = {
            "format_version": CHECKPOINT_VERSION,
            "global_step": self.global_step,
            "num_updates": self.num_updates,
            "algo": self.algo.checkpoint(),
            "normalizer": self.normalizer.state_dict(),
            "rng": {
                "torch": torch.get_rng_state(),
                "cuda": torch.cuda.get_rng_state_all() if torch.cuda.is_available() else [],
            },
            "replay_buffer": self.buffer.state_dict() if save_replay_buffer else None,
            "agent_cfg": self.cfg.to_dict(),
            "agent_cfg_class": class_path(type(self.cfg)),
            "algorithm_cfg_class": class_path(type(self.cfg.algorithm)),
        }
        atomic_write(path, lambda f: torch.save(state, f))

    def save_checkpoint(self) -> None:
        """Save ``model_<step>.pt`` and ``last.pt`` in the log folder."""
        self.save(self.log_dir / f"model_{self.global_step}.pt")
        self.save(self.log_dir / "last.pt")

    def load(self, path: str | Path) -> None:
        """Restore a checkpoint written by ``save``; raises if the file is unreadable or incomplete."""
        self._restore(read_checkpoint(path, self.device))

    def resume(self, log_dir: str | Path | None = None) -> Path | None:
        """Load the latest valid checkpoint of ``log_dir`` (default: this runner's): ``last.pt``, then
        ``model_<step>.pt`` by decreasing step. Unreadable files are skipped with a warning. Returns the
        loaded path, or None (with a warning) if there is none."""
        log_dir = Path(log_dir) if log_dir is not None else self.log_dir
        matches = {path: re.fullmatch(r"model_(\d+)\.pt", path.name) for path in log_dir.glob("model_*.pt")}
        steps = {path: int(match.group(1)) for path, match in matches.items() if match}
        candidates = [log_dir / "last.pt"] + sorted(steps, key=steps.get, reverse=True)
        for path in candidates:
            if not path.is_file():
                continue
            try:
                state = read_checkpoint(path, self.device)
            except Exception as error:  # a truncated or corrupt file must never stop a resume
                warnings.warn(f"Skipping unreadable checkpoint {path}: {type(error).__name__}: {error}", stacklevel=2)
                continue
            self._restore(state)
            return path
        warnings.warn(f"No valid checkpoint in {log_dir}; training starts from scratch.", stacklevel=2)
        return None

    def _restore(self, state: dict) -> None:
        self.algo.load_checkpoint(state["algo"])
        self.normalizer.load_state_dict(state["normalizer"])
        if state["replay_buffer"] is not None:
            self.buffer.load_state_dict(state["replay_buffer"])
        self.global_step = state["global_step"]
        self.num_updates = state["num_updates"]
        torch.set_rng_state(state["rng"]["torch"].cpu())
        if state["rng"]["cuda"] and torch.cuda.is_available():
            torch.cuda.set_rng_state_all([s.cpu() for s in state["rng"]["cuda"]])
