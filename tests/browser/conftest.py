"""Browser-test fixtures (the helpers that serve the app and drive Chromium: tests/browser/browser_helpers.py)."""

from __future__ import annotations

import os
import shutil

import pytest

from tests.support import make_app, need


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """The Debian Chromium binary for browser tests."""
    path = shutil.which("chromium") or "/usr/bin/chromium"
    if not os.path.exists(path):
        need("Chromium not installed (apt-get install -y chromium fonts-nanum)")
    return path


@pytest.fixture
def problems() -> list[str]:
    """What the page reported (errors, dialogs, CSP violations, failed requests); each test asserts it is empty."""
    return []


@pytest.fixture
def browser_app(tmp_path):
    """A fresh app on a SQLite file in tmp_path, which the serving thread and the test share."""
    return make_app(f"sqlite:///{tmp_path / 'browser.sqlite3'}")
