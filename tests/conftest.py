"""Shared test settings: hypothesis runs without per-example deadlines (CI machines are noisy)."""

from hypothesis import settings

settings.register_profile("chainrule", deadline=None, print_blob=True)
settings.load_profile("chainrule")
