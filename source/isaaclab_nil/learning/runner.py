"""Off-policy training loop for batched (Isaac Lab style) environments: collect, update, log, checkpoint.

Env protocol (Isaac Lab's ``ManagerBasedRLEnv`` after ``gym.make``): ``num_envs``, ``device``,
``obs, extras = env.reset()``, ``obs, reward, terminated, truncated, extras = env.step(action)``, with
the policy observation at ``obs["policy"]`` (num_envs, obs_dim). Finished envs are auto-reset inside
``step``; if ``extras["final_obs"]["policy"]`` holds the last observation of those episodes it is used
as their ``next_obs``. Otherwise the reset observation is used (with a warning): time-outs then
bootstrap from the wrong state. Isaac Lab puts per-term episode statistics in ``extras["log"]``.

A run folder holds one file per save, ``model_<step>.pt`` (networks, optimizers, observation statistics, RNG
states, step counters, the agent config), the newest ``keep_checkpoints`` of them, and next to the newest one
its replay buffer, ``replay_buffer_<step>.pt``. Every file is written atomically; the latest checkpoint is the
one of the highest step (``latest_checkpoint``). No checkpoint ever holds a NaN: on a non-finite loss the runner
saves the last good state and raises ``TrainingDiverged``.

In distributed training (``distributed.init`` under torchrun) every rank runs this loop on its own envs and replay
buffer, in lockstep: the learner stays identical on all ranks (see ``distributed``), rank 0 alone logs and writes
the checkpoints, and each rank saves its own replay buffer next to it (``replay_buffer_<step>.pt`` for rank 0,
``replay_buffer_<step>_rank<r>.pt`` for rank r). A resume restores the same checkpoint on every rank and each rank's
own buffer; a rank whose buffer file is missing (e.g. a resume with more ranks) refills it, and no rank updates
until all have.
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
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import torch
from tqdm.auto import tqdm

from ..errors import NILError
from . import distributed
from .bro import BRO
from .config import BroCfg, OffPolicyRunnerCfg, SacCfg
from .networks import ObsNormalizer
from .replay_buffer import Batch, ReplayBuffer
from .sac import SAC, NonFiniteLossError

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
CHECKPOINT_VERSION = 3
"""3: the replay buffer in a file of its own, whose name the ``replay_buffer`` key holds (None: not saved);
2: the buffer inside the checkpoint; 1: separate learner and runner dataclasses."""
CHECKPOINT_NAME = re.compile(r"model_(\d+)\.pt")
REPLAY_BUFFER_GLOB = "replay_buffer_*.pt"
TEMPORARY_GLOBS = (".model_*.tmp", ".replay_buffer_*.tmp")
"""The temporary files ``atomic_write`` makes for checkpoints and replay buffers (left behind by a kill)."""


class TrainingDiverged(NILError, RuntimeError):
    """Training stopped because a loss or the training state turned NaN or infinite. The message says what,
    when, and which checkpoint holds the last good state (a non-finite state is never saved)."""


@dataclass(frozen=True)
class Restored:
    """What ``OffPolicyRunner.load`` and ``resume`` restored; ``str`` gives it in one line."""

    checkpoint: Path
    global_step: int
    num_updates: int
    buffer_size: int
    """Transitions of the restored replay buffer (0: none was saved, or its file was unreadable)."""
    steps_before_update: int
    """Env steps to collect before the next update: the rest of the warm-up, or the refill of the buffer."""

    def __str__(self) -> str:
        buffer = f"replay buffer of {self.buffer_size} transitions" if self.buffer_size else "no replay buffer"
        line = f"{self.checkpoint} at env step {self.global_step} ({self.num_updates} updates), {buffer}"
        if self.steps_before_update:
            line += f"; {self.steps_before_update} env steps to collect before the next update"
        return line


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


def checkpoint_paths(run_dir: str | Path) -> list[Path]:
    """The checkpoints ``model_<step>.pt`` of a run folder, by increasing step."""
    steps = {}
    for path in Path(run_dir).glob("model_*.pt"):
        match = CHECKPOINT_NAME.fullmatch(path.name)
        if match:
            steps[path] = int(match.group(1))
    return sorted(steps, key=steps.get)


def latest_checkpoint(run_dir: str | Path) -> Path | None:
    """The checkpoint of the highest step in a run folder (None if there is none)."""
    paths = checkpoint_paths(run_dir)
    return paths[-1] if paths else None


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
        self.buffer = ReplayBuffer(cfg.replay_capacity(self.num_envs), obs_dim, self.action_dim, self.device)
        self.batch_size = cfg.batch_size(self.num_envs)
        """Transitions per update (the config's rule for ``num_envs``)."""
        distributed.broadcast_parameters(self.algo, self.normalizer)  # every rank starts from rank 0's networks

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
        self.nonfinite_transitions = 0
        """Transitions dropped because the env gave a NaN or Inf (a diverged env: its episode ends, it resets)."""
        self.saved_step: int | None = None
        """Env step of the last checkpoint this runner wrote (a step is never saved twice)."""
        self.last_save_time = time.monotonic()
        self.diverged = False
        """Set when ``learn`` raised ``TrainingDiverged``; nothing is saved after it."""

    # ----------------------------------------------------------------------------------------------
    # Training loop
    # ----------------------------------------------------------------------------------------------

    def learn(self, num_env_steps: int) -> None:
        """Train until ``global_step == num_env_steps``; continues from the current step (e.g. after
        ``resume``), so the same call finishes an interrupted run. Raises ``TrainingDiverged`` on a NaN or
        infinite loss or state, after saving the last good state."""
        from torch.utils.tensorboard import SummaryWriter  # slow import, only needed for training

        main = distributed.is_main_process()
        if self.writer is None and main:  # rank 0 alone logs
            self.writer = SummaryWriter(str(self.log_dir))
        info: dict[str, torch.Tensor] = {}
        window_start = (time.perf_counter(), self.global_step, self.num_updates)
        self.last_save_time = time.monotonic()
        with tqdm(total=num_env_steps, initial=self.global_step, disable=not (self.cfg.progress_bar and main)) as bar:
            while self.global_step < num_env_steps:
                policy_acts = self.global_step >= self.cfg.learning_starts
                # After the warm-up, and after a resume without replay buffer once it is refilled as much.
                updating = policy_acts and distributed.all_ranks(len(self.buffer) >= self.warmup_transitions)
                self.collect_step(random_actions=not policy_acts)
                self.global_step += 1
                if self.algo.follow_schedules(self.global_step):
                    distributed.broadcast_parameters(self.algo)
                    if main:
                        self.writer.add_scalar("train/full_reset", 1.0, self.global_step)
                if updating:
                    for _ in range(self.cfg.algorithm.replay_ratio):
                        info = self.update()
                if self.global_step % self.cfg.log_interval == 0 and main:
                    self.log(info, window_start)
                    window_start = (time.perf_counter(), self.global_step, self.num_updates)
                    if self.completed_returns:
                        bar.set_postfix(ret=f"{self.mean_episode_return():.1f}")
                if self.save_due():
                    problem = self.non_finite_state()
                    if problem:
                        raise self.diverge(problem)
                    self.save_checkpoint()
                bar.update(1)
        if main:
            self.writer.flush()

    @property
    def warmup_transitions(self) -> int:
        """Transitions the replay buffer must hold before updates: ``learning_starts`` env steps' worth."""
        return min(self.cfg.learning_starts * self.num_envs, self.buffer.capacity)

    def steps_before_update(self) -> int:
        """Env steps ``learn`` collects before its next update."""
        missing = max(self.warmup_transitions - len(self.buffer), 0)
        return max(self.cfg.learning_starts - self.global_step, -(-missing // self.num_envs))

    def update(self) -> dict[str, torch.Tensor]:
        """One learner update on a fresh batch. On a non-finite loss no optimizer step is taken on it, so every
        parameter is as the last step on a finite loss left it: that state is saved and ``TrainingDiverged`` raised."""
        try:
            info = self.algo.update(self.sample_batch())
        except NonFiniteLossError as error:
            raise self.diverge(str(error)) from None
        self.num_updates += 1
        return info

    def save_due(self) -> bool:
        cfg = self.cfg
        by_steps = cfg.save_interval > 0 and self.global_step % cfg.save_interval == 0
        by_time = cfg.save_interval_s > 0 and time.monotonic() - self.last_save_time >= cfg.save_interval_s
        return by_steps or distributed.any_rank(by_time)  # all ranks save together

    def collect_step(self, random_actions: bool) -> None:
        """Act in all envs, store the transitions and track episode statistics. A transition in which the env gave a
        NaN or Inf (observation or reward) is not stored: that env diverged, and the env ends its episode."""
        freeze_after = self.cfg.freeze_obs_normalizer_after
        self.normalizer.frozen = freeze_after is not None and self.global_step >= freeze_after
        obs_finite = torch.isfinite(self.obs).all(dim=-1)
        self.normalizer.update(self.obs if bool(obs_finite.all()) else self.obs[obs_finite])
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
        finite = obs_finite & torch.isfinite(rewards) & torch.isfinite(final_obs).all(dim=-1)
        transition = (self.obs, actions, rewards * self.cfg.reward_scale, final_obs, terminated)
        if not bool(finite.all()):
            self.nonfinite_transitions += int((~finite).sum())
            transition = tuple(values[finite] for values in transition)
        self.buffer.add(*transition)
        self.track_episodes(torch.where(finite, rewards, 0.0), dones, any_done)
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
        batch = self.buffer.sample(self.batch_size)
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
        transitions = (step - start_step) * self.num_envs * distributed.world_size()  # of all ranks
        writer.add_scalar("perf/env_steps_per_s", transitions / elapsed, step)
        writer.add_scalar("perf/updates_per_s", (self.num_updates - start_updates) / elapsed, step)
        writer.add_scalar("train/num_updates", self.num_updates, step)
        writer.add_scalar("train/target_entropy", self.algo.target_entropy, step)
        writer.add_scalar("train/nonfinite_transitions", self.nonfinite_transitions, step)

    # ----------------------------------------------------------------------------------------------
    # Checkpointing
    # ----------------------------------------------------------------------------------------------

    def save(self, path: str | Path, replay_buffer_path: str | Path | None = None) -> None:
        """Atomically save everything needed to continue training to ``path`` and, if ``replay_buffer_path`` is
        given (a file in the same folder), the replay buffer there first: the checkpoint names its buffer file.
        In distributed training every rank saves its own buffer (``distributed.rank_path``), then rank 0 alone
        the checkpoint; the others return once their buffer is written."""
        path = Path(path)
        if replay_buffer_path is not None:
            replay_buffer_path = Path(replay_buffer_path)
            if replay_buffer_path.parent != path.parent:
                raise ValueError(f"the replay buffer {replay_buffer_path} must be in the folder of {path}")
            atomic_write(distributed.rank_path(replay_buffer_path), lambda f: torch.save(self.buffer.state_dict(), f))
        distributed.barrier()  # every rank's buffer is on disk before a checkpoint names it
        if not distributed.is_main_process():
            return
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
            "replay_buffer": replay_buffer_path.name if replay_buffer_path is not None else None,
            "agent_cfg": self.cfg.to_dict(),
            "agent_cfg_class": class_path(type(self.cfg)),
            "algorithm_cfg_class": class_path(type(self.cfg.algorithm)),
        }
        atomic_write(path, lambda f: torch.save(state, f))

    def save_checkpoint(self, save_replay_buffer: bool | None = None) -> Path | None:
        """Save ``model_<step>.pt`` in the log folder, with ``replay_buffer_<step>.pt`` if ``save_replay_buffer``
        (default: the config's), then delete all but the newest ``keep_checkpoints`` checkpoints and all other
        replay buffers. Returns the checkpoint. A step is saved once; a NaN or infinite state never (None, with
        a warning), nor anything after ``TrainingDiverged`` (``learn`` then saved the last good state). In
        distributed training all ranks call it together: each saves its buffer, rank 0 the checkpoint, and prunes."""
        path = self.log_dir / f"model_{self.global_step}.pt"
        if self.diverged:
            return None
        if self.saved_step == self.global_step:
            return path
        problem = self.non_finite_state()
        if problem:
            warnings.warn(f"Not saving a checkpoint at env step {self.global_step}: {problem}", stacklevel=2)
            return None
        if save_replay_buffer is None:
            save_replay_buffer = self.cfg.save_replay_buffer
        buffer_path = self.log_dir / f"replay_buffer_{self.global_step}.pt" if save_replay_buffer else None
        self.save(path, buffer_path)
        self.saved_step, self.last_save_time = self.global_step, time.monotonic()
        if not distributed.is_main_process():
            return path
        keep = self.cfg.keep_checkpoints
        stale = checkpoint_paths(self.log_dir)[:-keep] if keep > 0 else []
        stale += self.log_dir.glob(REPLAY_BUFFER_GLOB)
        saved = {path} | {distributed.rank_path(buffer_path, r) for r in range(distributed.world_size()) if buffer_path}
        for old in stale:
            if old not in saved:
                old.unlink(missing_ok=True)
        return path

    def non_finite_state(self) -> str:
        """What of the networks, optimizers and observation statistics is NaN or infinite ('' if nothing)."""
        tensors = {f"algo.{k}": v for k, v in self.algo.state_dict().items()}
        tensors |= {f"normalizer.{k}": v for k, v in self.normalizer.state_dict().items()}
        for name, optimizer in self.algo.optimizers.items():
            for index, param_state in optimizer.state_dict()["state"].items():
                tensors |= {f"optimizers.{name}.{index}.{k}": v for k, v in param_state.items()}
        bad = [k for k, v in tensors.items() if isinstance(v, torch.Tensor) and not bool(torch.isfinite(v).all())]
        more = f" and {len(bad) - 3} more tensors" if len(bad) > 3 else ""
        return f"non-finite values in {', '.join(bad[:3])}{more}" if bad else ""

    def diverge(self, cause: str) -> TrainingDiverged:
        """Save the last good state (without a replay buffer that holds NaN), unless the state itself is not
        finite, and return the ``TrainingDiverged`` to raise; nothing is saved after it."""
        problem = self.non_finite_state()
        if problem:
            kept = "nothing saved" + (f" ({problem})" if problem != cause else "")
            kept += f", the last checkpoint is {latest_checkpoint(self.log_dir)}"
        else:
            bad_data = self.buffer.non_finite()
            kept = f"saved the last good state as {self.save_checkpoint(self.cfg.save_replay_buffer and not bad_data)}"
            if bad_data:
                kept += f", without the replay buffer (non-finite {bad_data})"
        self.diverged = True
        return TrainingDiverged(
            f"{cause} at env step {self.global_step} (after {self.num_updates} updates): stopped; {kept}"
        )

    def load(self, path: str | Path) -> Restored:
        """Restore a checkpoint written by ``save`` and the replay buffer it names; raises if the checkpoint is
        unreadable or incomplete. A missing or unreadable buffer file leaves the buffer empty, with a warning:
        ``learn`` then collects ``learning_starts`` env steps before it updates again."""
        return self._restore(Path(path), read_checkpoint(path, self.device))

    def resume(self, log_dir: str | Path | None = None) -> Restored | None:
        """Load the latest valid checkpoint of ``log_dir`` (default: this runner's), ``model_<step>.pt`` by
        decreasing step, and delete the temporary files a kill left there. Unreadable files are skipped with
        a warning. Returns what was restored, or None (with a warning) if there is no valid checkpoint."""
        log_dir = Path(log_dir) if log_dir is not None else self.log_dir
        for pattern in TEMPORARY_GLOBS:
            for leftover in log_dir.glob(pattern):
                leftover.unlink(missing_ok=True)
        for path in reversed(checkpoint_paths(log_dir)):
            try:
                state = read_checkpoint(path, self.device)
            except Exception as error:  # a truncated or corrupt file must never stop a resume
                warnings.warn(f"Skipping unreadable checkpoint {path}: {type(error).__name__}: {error}", stacklevel=2)
                continue
            return self._restore(path, state)
        warnings.warn(f"No valid checkpoint in {log_dir}; training starts from scratch.", stacklevel=2)
        return None

    def _restore(self, path: Path, state: dict) -> Restored:
        self.algo.load_checkpoint(state["algo"])
        self.normalizer.load_state_dict(state["normalizer"])
        self.global_step = state["global_step"]
        self.num_updates = state["num_updates"]
        if distributed.world_size() > 1:  # the checkpoint holds rank 0's RNG: each rank draws its own stream again
            torch.manual_seed(self.cfg.seed + distributed.world_size() * self.global_step)
        else:
            torch.set_rng_state(state["rng"]["torch"].cpu())
            if state["rng"]["cuda"] and torch.cuda.is_available():
                torch.cuda.set_rng_state_all([s.cpu() for s in state["rng"]["cuda"]])
        distributed.broadcast_parameters(self.algo, self.normalizer)
        self.buffer.ptr = self.buffer.size = 0
        if state["replay_buffer"] is not None:
            buffer_path = distributed.rank_path(path.parent / state["replay_buffer"])  # this rank's own buffer
            try:  # memory-mapped: the tensors are copied from the file into the buffer, nothing is parsed
                self.buffer.load_state_dict(torch.load(buffer_path, map_location="cpu", weights_only=True, mmap=True))
            except Exception as error:
                warnings.warn(
                    f"Replay buffer {buffer_path} not restored ({type(error).__name__}: {error}): it is refilled.",
                    stacklevel=3,
                )
        return Restored(path, self.global_step, self.num_updates, len(self.buffer), self.steps_before_update())
