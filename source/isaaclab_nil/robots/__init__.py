"""Robot models for NIL tasks: where their MJCF files live (:mod:`.assets`) and how they are driven (:mod:`.mjcf`,
the robots' specs in :mod:`.unitree`)."""
