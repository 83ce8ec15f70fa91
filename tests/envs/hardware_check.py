"""Build a task under ``presets=hardware`` and measure what each domain-randomization term changed (one simulation
per process; the test asserts on the JSON report).

    python tests/envs/hardware_check.py NIL-Go2-Walk report.json

2 envs, no camera (so no video encoder), pushes every 0.10-0.16 s instead of 4-6 s so that 40 control steps see
several of them.
"""

from __future__ import annotations

import json
import sys

import mujoco
import torch
import warp as wp

NUM_ENVS = 2
STEPS = 40
PUSH_INTERVAL_S = (0.10, 0.16)


def solver_values(env) -> dict:
    """What the MuJoCo-Warp solver itself uses, per world, each list sorted (its geom, joint and actuator orders
    are not Isaac Lab's): friction of the ground's geoms and of the robot's, PD gains, effort limits."""
    mjw = env.sim.physics_manager._solver.mjw_model  # no public accessor in Isaac Lab 3.0
    friction = wp.to_torch(mjw.geom_friction)[..., 0]
    on_ground = wp.to_torch(mjw.geom_bodyid) == 0
    bias = wp.to_torch(mjw.actuator_biasprm)  # position actuators: -kp in [1]; velocity actuators: -kd in [2]
    kp, kd = -bias[..., 1], -bias[..., 2]
    effort = wp.to_torch(mjw.jnt_actfrcrange)[:, 1:, 1]  # joint 0 is the free base
    return {
        "ground_friction": friction[:, on_ground].tolist(),
        "robot_friction": friction[:, ~on_ground].sort(-1).values.tolist(),
        "stiffness": [row[row > 0].sort().values.tolist() for row in kp],
        "damping": [row[row > 0].sort().values.tolist() for row in kd],
        "effort_limits": effort.sort(-1).values.tolist(),
    }


def main(task: str, out_path: str) -> None:
    from isaaclab_nil.envs import mdp
    from isaaclab_nil.envs.factory import make_env

    overrides = ["presets=hardware", f"env.events.push_robot.interval_range_s={list(PUSH_INTERVAL_S)}"]
    env = make_env(task, num_envs=NUM_ENVS, device="cpu", camera=False, overrides=overrides)
    env.seed(0)
    robot = env.scene["robot"]
    report: dict = {"task": task, "action_term": type(env.action_manager.get_term("joints")).__name__}

    # startup terms: friction of every shape, masses against the MJCF, gains and effort limits against the nominal
    model = env.sim.physics_manager.get_model()
    mu, shape_body = wp.to_torch(model.shape_material_mu), wp.to_torch(model.shape_body)
    shape_world = wp.to_torch(model.shape_world)
    report["ground_friction"] = mu[shape_body < 0].tolist()
    report["robot_friction"] = [mu[(shape_body >= 0) & (shape_world == i)].tolist() for i in range(NUM_ENVS)]
    report["stiffness"] = robot.data.joint_stiffness.torch.tolist()
    report["damping"] = robot.data.joint_damping.torch.tolist()
    report["effort_limits"] = robot.data.joint_effort_limits.torch.tolist()
    mj = mujoco.MjModel.from_xml_path(env.cfg.scene.robot.spawn.asset_path)
    mjcf_mass = torch.tensor([mj.body(name).mass[0] for name in robot.body_names])
    report["mass_change"] = (robot.data.body_mass.torch - mjcf_mass).tolist()
    report["base_index"] = robot.find_bodies(env.cfg.events.add_base_mass.params["asset_cfg"].body_names)[0]
    gains = env.event_manager.get_term_cfg("actuator_gains").func
    report["stiffness_ratio"] = (robot.data.joint_stiffness.torch / gains.default_joint_stiffness).tolist()
    report["damping_ratio"] = (robot.data.joint_damping.torch / gains.default_joint_damping).tolist()
    strength = env.event_manager.get_term_cfg("motor_strength").func
    report["effort_ratio"] = (robot.data.joint_effort_limits.torch / strength.nominal).tolist()

    # pushes: record each call of the push term and the base velocity it changed
    push_cfg = env.event_manager.get_term_cfg("push_robot")
    push, pushes = push_cfg.func, []

    def recorded_push(env_, env_ids, **params):
        before = robot.data.root_vel_w.torch.clone()
        push(env_, env_ids, **params)
        after = robot.data.root_vel_w.torch.clone()
        pushes.append({"step": step, "env_ids": env_ids.tolist(), "change": (after - before).tolist()})

    push_cfg.func = recorded_push

    # latency: fixed delays 0 and 1, small random actions; the targets sent against the processed actions
    env.reset()
    term = env.action_manager.get_term("joints")
    report["reset_delays"] = []
    for _ in range(20):
        term.reset()
        report["reset_delays"] += term.delay.tolist()
    term.reset()
    term.delay[:] = torch.tensor([0, 1])
    report["idle_target"] = (term._offset + torch.zeros(NUM_ENVS, term.action_dim)).tolist()
    processed, targets, resets = [], [], []
    generator = torch.Generator().manual_seed(0)
    for step in range(STEPS):  # noqa: B007 (recorded_push reads it)
        action = 0.1 * (2 * torch.rand(NUM_ENVS, term.action_dim, generator=generator) - 1)
        _, _, terminated, truncated, _ = env.step(action)
        processed.append(term.processed_actions.tolist())
        targets.append(robot.data.joint_pos_target.torch[:, term._joint_ids].tolist())
        resets.append((terminated | truncated).tolist())
    report.update(pushes=pushes, processed=processed, targets=targets, resets=resets, step_dt=env.step_dt)
    report["solver"] = solver_values(env)  # Newton passes model changes to the solver at the next step
    from isaaclab_nil.envs.deploy import deploy_document

    deploy = deploy_document(env)  # gains in SDK motor order: back to the policy's joint order
    report["deploy_drives"] = {
        key: [deploy[key][m] for m in deploy["joint_ids_map"]] for key in ("stiffness", "damping")
    }
    report["deploy_drives"]["effort_limit"] = deploy["nil"]["effort_limit"]
    report["nominal_drives"] = {
        "stiffness": gains.default_joint_stiffness[0].tolist(),
        "damping": gains.default_joint_damping[0].tolist(),
        "effort_limit": strength.nominal[0].tolist(),
    }

    # observation noise: the policy group's terms against the same terms computed without noise
    data_before = robot.data.joint_pos.torch.clone()
    noisy = env.observation_manager.compute_group("policy")
    again = env.observation_manager.compute_group("policy")
    clean = {
        "base_ang_vel": mdp.base_ang_vel(env),
        "projected_gravity": mdp.projected_gravity(env),
        "joint_pos": mdp.joint_pos_rel(env),
        "joint_vel": mdp.joint_vel_rel(env),
        "actions": mdp.last_action(env),
        "reference_phase": mdp.generated_commands(env, "reference"),
    }
    names = env.observation_manager.active_terms["policy"]
    dims = [shape[-1] for shape in env.observation_manager.group_obs_term_dim["policy"]]
    report["obs_groups"] = list(env.observation_manager.active_terms)
    report["noise"] = {
        name: {"max": float((part - clean[name]).abs().max()), "resampled": bool((part != other).any())}
        for name, part, other in zip(names, noisy.split(dims, -1), again.split(dims, -1))
    }
    report["state_unchanged_by_noise"] = bool(torch.equal(data_before, robot.data.joint_pos.torch))
    with open(out_path, "w") as f:
        json.dump(report, f)
    env.close()


if __name__ == "__main__":
    main(*sys.argv[1:])
