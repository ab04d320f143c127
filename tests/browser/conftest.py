"""Browser-test fixtures (the helpers that serve the app and drive Chromium: tests/browser/browser_helpers.py)."""

from __future__ import annotations

import os
import shutil

import pytest

from tests.support import need


@pytest.fixture
def chromium_path() -> str:
    """The Debian Chromium binary for browser tests."""
    path = shutil.which("chromium") or "/usr/bin/chromium"
    if not os.path.exists(path):
        need("Chromium not installed (apt-get install -y chromium fonts-nanum)")
    return path
