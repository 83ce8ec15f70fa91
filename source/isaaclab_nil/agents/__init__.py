"""Agent configs of the NIL tasks: our off-policy learners (SAC, BRO) and rsl-rl PPO."""
