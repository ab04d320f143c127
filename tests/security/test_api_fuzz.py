"""Schemathesis over the whole API, as anonymous, parent, operator and admin: no 5xx, every answer as documented.

Runs in-process against the Flask app (WSGI) with a fixed, derandomized budget so CI is deterministic and cheap.
Half the generated cases get the world's real ids in their paths and bodies, so the fuzzing reaches the rules
behind the 404s (bookings, rosters, capacity) and not only the look-ups.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from app.auth.models import User
from app.auth.tokens import issue_token
from app.timeutil import utcnow
from tests.factories import make_user

EXAMPLES = 12  # per operation and role: ~27 operations × 4 roles, well under a minute per database
ROLES = ("anonymous", "parent", "operator", "admin")
CHECKS = [not_a_server_error, response_schema_conformance]
# Operations that must have answered 2xx at least once: the fuzzing got past authentication and look-ups.
_PUBLIC = {
    ("GET", "/api/districts"),
    ("GET", "/api/districts/at"),
    ("GET", "/api/facilities/{facility_id}"),
    ("GET", "/api/facilities/{facility_id}/slots"),
    ("GET", "/api/places"),
}
_ANY_ACCOUNT = _PUBLIC | {
    ("POST", "/api/auth/token"),
    ("DELETE", "/api/auth/token"),
    ("GET", "/api/bookings"),
    ("GET", "/api/children"),
}
_STAFF = _ANY_ACCOUNT | {("GET", "/api/operator/slots/{slot_id}/roster"), ("PATCH", "/api/operator/slots/{slot_id}")}
MUST_REACH = {
    "anonymous": _PUBLIC,
    "parent": _ANY_ACCOUNT | {("GET", "/api/bookings/{booking_id}")},
    "operator": _STAFF,
    "admin": _STAFF | {("GET", "/api/admin/coverage")},
}


@pytest.fixture(autouse=True)
def _no_attempt_limits(app):
    """The login and sign-up limits have their own tests (tests/auth); here every role must reach the token call."""
    app.config.update(
        LOGIN_RATE_LIMIT="100000/minute", LOGIN_ADDRESS_RATE_LIMIT="100000/minute", REGISTER_RATE_LIMIT="100000/minute"
    )


def _with_real_values(case, ids: dict, email: str | None, password: str) -> None:
    """Put the world's ids, a point in Seoul and the role's e-mail where the generated case has them."""
    for name in list(case.path_parameters or {}):
        if name in ids:
            case.path_parameters[name] = ids[name]
    if case.operation.path in ("/api/facilities", "/api/districts/at"):
        case.query = {**(case.query or {}), "lat": 37.5665, "lon": 126.978}
    if isinstance(case.body, dict):
        real = {
            "slot_id": ids["slot_id"],
            "child_ids": [ids["child_id"]],
            "birth_date": "2021-05-01",
            "email": email,
            "password": password if email else None,
        }
        case.body.update({k: v for k, v in real.items() if k in case.body and v is not None})


@pytest.mark.parametrize("role", ROLES)
def test_whole_api_never_fails_and_matches_its_document(app, db, world, tokens, password, role):
    emails, ids = world
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20  # the whole API, not a filtered part of it
    failures, seen = [], set()
    for operation in operations:

        @given(case=operation.as_strategy(), real=st.booleans())
        @settings(
            max_examples=EXAMPLES,
            derandomize=True,
            database=None,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        )
        def run(case, real):
            if real:
                _with_real_values(case, ids, emails.get(role), password)
            token = tokens[role]
            if role != "anonymous" and operation.method.lower() == "delete" and operation.path == "/api/auth/token":
                token, _ = issue_token(
                    db.session, db.session.get(User, ids[f"{role}_id"]), utcnow()
                )  # revoke a spare, keep the role's own
                db.session.commit()
            if role != "anonymous" and operation.method.lower() == "delete" and operation.path == "/api/me":
                spare = make_user(db.session, db.session.get(User, ids[f"{role}_id"]).role)
                token, _ = issue_token(db.session, spare, utcnow())  # delete a spare account, keep the role's own
                db.session.commit()
            # Schemathesis asks for gzip/br, and its WSGI transport does not decode bodies as an HTTP client would
            # (compression has its own tests: tests/serving/test_compression.py).
            headers = {"Accept-Encoding": "identity"} | ({"Authorization": f"Bearer {token}"} if token else {})
            response = case.call(headers=headers)
            seen.add((operation.method.upper(), operation.path, response.status_code))
            try:
                case.validate_response(response, checks=CHECKS, headers=headers)
            except (AssertionError, BaseExceptionGroup) as error:  # a check failed (FailureGroup)
                failures.append(f"{operation.method.upper()} {operation.path} as {role}: {error}")
                raise

        try:
            run()
        except (AssertionError, BaseExceptionGroup):
            pass  # collected above; go on to the other operations so one run shows every problem
    assert not failures, "\n\n".join(failures[:10])
    reached = {(method, path) for method, path, status in seen if status < 300}
    assert MUST_REACH[role] <= reached, f"never answered 2xx: {sorted(MUST_REACH[role] - reached)}"
