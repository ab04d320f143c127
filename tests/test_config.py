"""Configuration: every setting is declared in app/config.py; the development SECRET_KEY never reaches production."""

from __future__ import annotations

import gc
import logging
import re
from pathlib import Path

import pytest

from app import create_app
from app.config import DEFAULT_SECRET_KEY, Config, TestConfig

APP = Path(__file__).resolve().parent.parent / "app"
README = Path(__file__).resolve().parent.parent / "README.md"


def _config(**changes) -> dict:
    config = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    config.update(changes)
    return config


@pytest.fixture(autouse=True)
def _undo_production_app_side_effects():
    """A non-testing app sends request logs to stderr (not to caplog) and freezes the GC: undo both."""
    logger = logging.getLogger("nadeuri.request")
    saved = logger.handlers[:], logger.level, logger.propagate
    yield
    logger.handlers[:], logger.level, logger.propagate = saved
    gc.unfreeze()


@pytest.mark.parametrize("key", [DEFAULT_SECRET_KEY, ""])
def test_default_secret_key_outside_testing_refuses_to_start(key):
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(_config(TESTING=False, SECRET_KEY=key))


def test_real_secret_key_starts_and_testing_or_debug_allow_the_default():
    assert create_app(_config(TESTING=False, SECRET_KEY="a-real-key-0123456789")).testing is False
    assert create_app(_config(TESTING=True, SECRET_KEY=DEFAULT_SECRET_KEY)).testing is True
    assert create_app(_config(TESTING=False, DEBUG=True, SECRET_KEY=DEFAULT_SECRET_KEY)).debug is True


def _settings_read_in_code() -> set[str]:
    # config["X"], config.get("X"), config.setdefault("X"), and the rate limits' _setting("X")
    pattern = re.compile(r"""(?:(?:config|cfg)(?:\.get|\.setdefault)?[\[(]|_setting\()\s*["']([A-Z][A-Z0-9_]+)["']""")
    found = set()
    for path in APP.rglob("*.py"):
        if path.name != "config.py":
            found |= set(pattern.findall(path.read_text(encoding="utf-8")))
    return found


def test_every_setting_the_code_reads_is_declared_in_config_with_a_default():
    read = _settings_read_in_code()
    assert {
        "API_TOKEN_DAYS",
        "BOOKING_FALLBACK_CAPACITY",
        "LOGIN_RATE_LIMIT",
        "SEARCH_MAX_LIMIT",
    } <= read  # the scan finds them
    # Flask's and Flask-WTF's own settings have their defaults in those libraries.
    library = {"WTF_CSRF_ENABLED", "REMEMBER_COOKIE_SECURE", "DEBUG", "TESTING", "SECRET_KEY_FALLBACKS"}
    assert sorted(read - library - set(dir(Config))) == []


def test_every_setting_read_from_the_environment_is_in_the_readme_table():
    source = (APP / "config.py").read_text(encoding="utf-8")
    names = set(re.findall(r"""os\.environ\.get\(\s*["']([A-Z][A-Z0-9_]+)["']""", source))
    readme = README.read_text(encoding="utf-8")
    table = readme[readme.index("## 설정") : readme.index("## 실제 서울")]
    assert sorted(n for n in names if f"`{n}`" not in table) == []
