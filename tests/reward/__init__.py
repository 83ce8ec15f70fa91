"""NIL reward tests (a package, so that their package-scoped env is closed after them)."""
