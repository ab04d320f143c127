"""flask create-user."""

from sqlalchemy import func, select

from app.audit.models import AuditEntry
from app.auth.models import User


def _run(app, *args, input=None):
    return app.test_cli_runner().invoke(args=["create-user", *args], input=input)


def test_creates_operator_with_facilities_and_audits(app, db, make_facility):
    a, b = make_facility(), make_facility()
    result = _run(
        app,
        "Op@Example.com",
        "--role",
        "operator",
        "--facility",
        str(a.id),
        "--facility",
        str(b.id),
        "--password",
        "cafe-keeper-9",
        "--name",
        "운영자",
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "op@example.com"))
    assert user.role == "operator" and user.name == "운영자" and user.check_password("cafe-keeper-9")
    assert sorted(f.id for f in user.facilities) == sorted([a.id, b.id])
    entry = db.session.scalar(select(AuditEntry))
    assert (
        entry.action == "user.create" and entry.actor_id is None and entry.after["facilities"] == sorted([a.id, b.id])
    )
    assert f"id {user.id}" in result.output


def test_unknown_facility_is_named_and_nothing_written(app, db, make_facility):
    a = make_facility()
    result = _run(
        app,
        "op@example.com",
        "--role",
        "operator",
        "--facility",
        str(a.id),
        "--facility",
        "98765",
        "--password",
        "cafe-keeper-9",
    )
    assert result.exit_code == 1 and "98765" in result.output and "Nothing was written" in result.output
    assert db.session.scalar(select(func.count(User.id))) == 0
    assert db.session.scalar(select(func.count(AuditEntry.id))) == 0


def test_without_password_and_tty_it_refuses(app, db):
    result = _run(app, "admin@example.com", "--role", "admin")
    assert result.exit_code == 2 and "--password" in result.output
    assert db.session.scalar(select(func.count(User.id))) == 0


def test_prompts_for_password_on_a_terminal(app, db, monkeypatch):
    monkeypatch.setattr("app.admin.commands.stdin_is_tty", lambda: True)
    result = _run(app, "admin@example.com", "--role", "admin", input="city-hall-77\ncity-hall-77\n")
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(User)).check_password("city-hall-77")


def test_rules_apply_weak_password_bad_role_duplicate(app, db):
    assert _run(app, "a@example.com", "--role", "admin", "--password", "12345678").exit_code == 1
    assert _run(app, "a@example.com", "--role", "root", "--password", "city-hall-77").exit_code == 2
    assert _run(app, "a@example.com", "--role", "parent", "--facility", "1", "--password", "x-y-z-1234").exit_code == 1
    assert _run(app, "a@example.com", "--role", "admin", "--password", "city-hall-77").exit_code == 0
    dup = _run(app, "A@example.com", "--role", "admin", "--password", "city-hall-77")
    assert dup.exit_code == 1 and "이미" in dup.output
