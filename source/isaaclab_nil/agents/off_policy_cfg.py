"""NIL's own off-policy learners for NIL tasks, as the agent configs ``scripts/train.py --agent sac|bro`` loads
(entry points ``sac_cfg_entry_point`` and ``bro_cfg_entry_point``); ``agent.<field>=<value>`` overrides them."""

from isaaclab.utils import configclass

from isaaclab_nil.learning import BroCfg, OffPolicyRunnerCfg, SacCfg


@configclass
class NILSacRunnerCfg(OffPolicyRunnerCfg):
    algorithm: SacCfg = SacCfg()


@configclass
class NILBroRunnerCfg(OffPolicyRunnerCfg):
    algorithm: BroCfg = BroCfg()
