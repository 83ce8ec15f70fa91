"""The known-answer benchmark shows learning: a policy trained on the reference's video alone moves much closer
to the known motion than the zero-action and random policies (``benchmarks/bench_known_answer.py``, CPU preset).

Slow (about an hour on a CPU): CI skips it; run it with ``.venv/bin/python -m pytest -m slow tests/benchmarks``.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARK = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_known_answer.py"


@pytest.mark.slow
def test_trained_policy_beats_zero_and_random_policies(tmp_path):
    result = subprocess.run([sys.executable, str(BENCHMARK), "--out", str(tmp_path)], capture_output=True, text=True)
    report_file = tmp_path / "report.json"
    assert report_file.is_file(), result.stdout[-3000:] + result.stderr[-3000:]
    check = json.loads(report_file.read_text())["learning_check"]
    assert check["passed"], check["detail"]
    assert result.returncode == 0
