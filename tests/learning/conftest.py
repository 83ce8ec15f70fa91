"""Shared setup of the learning tests: importable helpers and single-threaded torch.

Single-threaded torch is faster for these small networks on the shared 2-core CI machine.
"""

import sys
from pathlib import Path

import pytest
import torch

sys.path.insert(0, str(Path(__file__).parent))  # pendulum_env, pendulum_task, learning_helpers


@pytest.fixture(autouse=True)
def single_thread_torch():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)
