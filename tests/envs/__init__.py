"""Env tests (a package, so that the package-scoped env fixture is closed before other packages make theirs)."""
