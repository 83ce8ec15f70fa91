"""Data-parallel off-policy training across processes launched by ``torchrun``, as Isaac Lab's rsl_rl workflow does
it: one process per GPU (``cuda:LOCAL_RANK``, NCCL; or the CPU with gloo), each with its own envs, replay buffer and
seed, and one learner kept identical on every rank.

What keeps the learners identical: the parameters are broadcast from rank 0 when they are made (start, full reset,
resume), every gradient is averaged over the ranks before its optimizer step, the observation statistics are
updated with the moments of all ranks' observations, and every decision that involves a collective (update or not,
save or not, a non-finite loss) is taken by all ranks together. Each rank samples its own replay buffer, so one
update learns from ``world_size`` batches. Rank 0 alone logs, writes checkpoints and exports.

Outside ``torchrun`` (no process group) every function is the single-process identity: world size 1, rank 0,
gradients untouched, local moments, a flag as given; the learners call them unconditionally.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import torch
import torch.distributed as dist
from torch import nn

from ..errors import UsageError

LAUNCH = "torchrun --nproc_per_node=<GPUs> scripts/train.py ... --distributed"


def init(device: str) -> torch.device:
    """Join the process group ``torchrun`` set up (``RANK``, ``LOCAL_RANK``, ``WORLD_SIZE``, ``MASTER_ADDR``, ...)
    and return this process's device: ``cuda:LOCAL_RANK`` with NCCL for a CUDA ``device`` (``cuda:0`` when each
    process sees one GPU only, as Isaac Lab does), the CPU with gloo for ``cpu``."""
    if "LOCAL_RANK" not in os.environ:
        raise UsageError(f"--distributed runs one process per GPU, started by torchrun: {LAUNCH}")
    local_rank = int(os.environ["LOCAL_RANK"])
    if torch.device(device).type == "cpu":
        dist.init_process_group("gloo")
        return torch.device("cpu")
    if not torch.cuda.is_available():
        raise UsageError(f"--device {device}: this machine has no CUDA GPU (use --device cpu for the gloo backend)")
    index = local_rank if local_rank < torch.cuda.device_count() else 0
    cuda = torch.device("cuda", index)
    torch.cuda.set_device(cuda)
    dist.init_process_group("nccl", device_id=cuda)
    return cuda


def shutdown() -> None:
    """Leave the process group (no-op outside one)."""
    if dist.is_initialized():
        dist.destroy_process_group()


def world_size() -> int:
    return dist.get_world_size() if dist.is_initialized() else 1


def rank() -> int:
    """Global rank of this process (0 on a single process)."""
    return dist.get_rank() if dist.is_initialized() else 0


def is_main_process() -> bool:
    """Rank 0: the process that logs, saves checkpoints and exports."""
    return rank() == 0


def _collective_device() -> torch.device:
    """Where small tensors for a collective live: the current GPU for NCCL, the CPU for gloo."""
    return torch.device("cuda", torch.cuda.current_device()) if dist.get_backend() == "nccl" else torch.device("cpu")


def broadcast_parameters(*modules: nn.Module) -> None:
    """Overwrite every parameter and buffer of ``modules`` with rank 0's, so that all ranks hold the same learner."""
    if world_size() == 1:
        return
    for module in modules:
        for tensor in module.state_dict().values():  # views of the parameters and buffers: updated in place
            dist.broadcast(tensor, src=0)


def all_reduce_gradients(params: Iterable[torch.Tensor]) -> None:
    """Average the gradients of ``params`` over the ranks (one ``all_reduce`` of them flattened), called between
    ``backward`` and the optimizer step: every rank then takes the same step."""
    if world_size() == 1:
        return
    grads = [p.grad for p in params if p.grad is not None]
    flat = torch.cat([g.reshape(-1) for g in grads])
    dist.all_reduce(flat)
    flat /= world_size()
    for grad, reduced in zip(grads, flat.split([g.numel() for g in grads])):
        grad.copy_(reduced.view_as(grad))


def all_finite(tensor: torch.Tensor) -> bool:
    """Whether ``tensor`` is finite on every rank: a NaN loss on one rank stops them all at the same update."""
    finite = torch.isfinite(tensor).all()
    if world_size() > 1:
        finite = finite.to(torch.float32)
        dist.all_reduce(finite, op=dist.ReduceOp.MIN)
    return bool(finite)


def _all_ranks(flag: bool, op: dist.ReduceOp) -> bool:
    if world_size() == 1:
        return flag
    value = torch.tensor(float(flag), device=_collective_device())
    dist.all_reduce(value, op=op)
    return bool(value)


def all_ranks(flag: bool) -> bool:
    """``flag`` and'ed over the ranks: a decision every rank must take alike (e.g. to update)."""
    return _all_ranks(flag, dist.ReduceOp.MIN)


def any_rank(flag: bool) -> bool:
    """``flag`` or'ed over the ranks (e.g. a save that one rank's clock says is due)."""
    return _all_ranks(flag, dist.ReduceOp.MAX)


def from_main(obj: Any) -> Any:
    """Rank 0's ``obj`` (a picklable object, such as a run folder) on every rank."""
    if world_size() == 1:
        return obj
    box = [obj]
    dist.broadcast_object_list(box, src=0)
    return box[0]


def barrier() -> None:
    if world_size() > 1:
        dist.barrier()


def batch_moments(x: torch.Tensor) -> tuple[int | torch.Tensor, torch.Tensor, torch.Tensor]:
    """Count, mean and (population) variance over dim 0 of ``x`` on all ranks together: the batch statistics an
    observation normaliser adds, so that every rank's statistics stay the same. One ``all_reduce`` of the count, sum
    and sum of squares (in float64)."""
    if world_size() == 1:
        return x.shape[0], x.mean(0), x.var(0, unbiased=False)
    x64 = x.double()
    count = torch.full((1,), float(x.shape[0]), dtype=torch.float64, device=x.device)
    packed = torch.cat([count, x64.sum(0), x64.square().sum(0)])
    dist.all_reduce(packed)
    total, sums, squares = packed[:1], *packed[1:].chunk(2)
    mean = sums / total
    var = (squares / total - mean.square()).clamp_min(0.0)
    return total.squeeze(0), mean.to(x.dtype), var.to(x.dtype)


def rank_path(path: Path, rank_index: int | None = None) -> Path:
    """The file of rank ``rank_index`` (default: this rank) for a per-rank file ``path``: ``path`` itself for rank
    0 (so a single-process run and rank 0 share names), ``<stem>_rank<r><suffix>`` for the others."""
    index = rank() if rank_index is None else rank_index
    return path if index == 0 else path.with_name(f"{path.stem}_rank{index}{path.suffix}")
