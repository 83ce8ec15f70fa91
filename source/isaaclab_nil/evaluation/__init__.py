"""Evaluation of trained policies against a reference bundle (stage 2's last step), in four modules:

* :mod:`.metrics`  the environment reward and the motion error against a ground truth (pure functions)
* :mod:`.rollout`  the one rollout that evaluation, recording and play share, and the baseline policies
* :mod:`.report`   a rollout's scores per env, the comparison video and the training plots
* :mod:`.command`  ``nil eval``

Importing this package imports nothing (it holds the command's defaults and error): the modules pull in
Isaac Lab. See ``docs/evaluation.md``.
"""

from ..errors import NILError

EVAL_STEPS = 400
"""Control steps of an evaluation episode: 8 s at 50 Hz, the paper's 400-step episode."""
DEFAULT_TARGET_SPEED = 0.5
"""Forward speed [m/s] that earns the full speed reward when there is no ground truth to take it from."""


class EvaluationError(NILError):
    """``nil eval`` cannot run with the given inputs (the message says why)."""
