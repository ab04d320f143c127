"""Factories for the admin, role and audit tests (imported by each test module)."""
from __future__ import annotations

import itertools
from datetime import datetime

from app.auth.models import User
from app.timeutil import KST

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=KST)
PASSWORD = "sunny-day-1"
_n = itertools.count(1)


def make_user(session, role: str = "parent", facilities=(), locked: bool = False, email: str | None = None) -> User:
    """A committed user with PASSWORD, optionally assigned facilities."""
    n = next(_n)
    user = User(email=email or f"{role}{n}@example.com", name=f"{role}{n}", role=role, is_locked=locked)
    user.set_password(PASSWORD)
    user.facilities = list(facilities)
    session.add(user)
    session.commit()
    return user


def login(client, user: User, password: str = PASSWORD):
    """Log `user` in through the login page."""
    return client.post("/login", data={"email": user.email, "password": password})


def imports_synth():
    """The importer tests' synthetic-file helpers (tests/imports/synth.py)."""
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parent.parent / "imports" / "synth.py"
    spec = importlib.util.spec_from_file_location("imports_synth_for_admin", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
