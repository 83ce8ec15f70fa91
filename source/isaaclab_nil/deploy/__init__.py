"""Running a trained NIL policy outside Isaac Lab: the deploy contract and sim-to-sim in plain MuJoCo.

- :mod:`.contract`: the files a controller reads (``params/deploy.yaml`` in unitree_rl_lab's schema, beside
  ``exported/policy.onnx``), written at export and checked by every reader, and the controller's side of the
  policy interface (observation vector, joint targets) computed from those files alone.
- :mod:`.sim2sim`: ``nil sim2sim``, the policy in plain MuJoCo from the contract alone.
- :mod:`.trajectory`: an Isaac Lab rollout's joint trajectory (``scripts/play.py`` writes it) to compare with.

Reading and checking a policy folder, building the controller's observation and running MuJoCo import neither
Isaac Lab nor torch (only writing a contract at export and the mp4 do): a robot-side tool can use the same code.
See ``docs/deploy.md``.
"""
