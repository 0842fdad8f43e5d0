"""What a test does when a real part is missing: fail in CI, skip elsewhere.

CI (``CI=true``) must never pass by skipping: the README's test command installs every
part, so a missing one there is a broken set-up and fails loudly with what is missing.
On a developer's machine a missing part skips with the same message.
"""

from __future__ import annotations

import os

import pytest


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def missing(part: str, why: str) -> None:
    """Stop the current test because ``part`` is not available."""
    message = f"{part} is not available: {why}"
    if in_ci():
        pytest.fail(message + " (CI needs every real part; see README, 'Tests')", pytrace=False)
    pytest.skip(message)
