"""Shared test settings: hypothesis runs without per-example deadlines (machines are noisy), and
with a fixed seed on CI, so that a CI run is repeatable."""

import os

from hypothesis import settings

settings.register_profile(
    "chainrule", deadline=None, print_blob=True, derandomize=bool(os.environ.get("CI"))
)
settings.load_profile("chainrule")
