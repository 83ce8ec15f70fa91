"""Robot models for NIL tasks: where their MJCF files live and what their actuators are (:mod:`.assets`), what NIL
needs to know about a robot (:class:`.spec.RobotSpec`) and how it is driven (:mod:`.mjcf`). Each robot's spec lives
in its own folder, ``isaaclab_nil/tasks/<robot>/robot.py``."""
