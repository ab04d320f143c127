"""Password rule (KISA's guide): 8+ characters of two kinds, or 10+ of one kind; at most 128; not blank."""

from __future__ import annotations

import pytest

from app.auth.services import PASSWORD_RULE, password_problem


@pytest.mark.parametrize(
    "password",
    [
        "abcd1234",  # 8, letters + digits
        "abcdefg!",  # 8, letters + symbols
        "1234567!",  # 8, digits + symbols
        "나들이비밀번호12",  # Hangul letters + digits
        "abcdefghij",  # 10, letters only
        "1234567890",  # 10, digits only
        "!@#$%^&*()",  # 10, symbols only
        "a1" + "x" * 126,  # exactly 128
        " pass word 1 ",  # spaces inside are fine
    ],
)
def test_accepted(password):
    assert password_problem(password) is None


@pytest.mark.parametrize(
    "password, words",
    [
        ("", "입력해"),
        (None, "입력해"),
        (" " * 12, "공백만"),
        ("\t\n  \u3000  \u3000 ", "공백만"),
        ("abc12", "8자 이상"),
        ("abcdefgh", "두 종류 이상"),  # 8, one kind
        ("123456789", "두 종류 이상"),  # 9, one kind
        ("        1", "두 종류 이상"),  # whitespace is no kind of its own
        ("a1" + "x" * 127, "128자 이하"),
        ("abcd\x001234", "제어 문자"),
    ],
)
def test_refused_with_a_korean_reason(password, words):
    problem = password_problem(password)
    assert problem is not None and words in problem


def test_register_page_describes_the_rule_and_api_refuses_by_it(client):
    page = client.get("/register").get_data(as_text=True)
    assert PASSWORD_RULE in page
    r = client.post("/api/auth/register", json={"email": "p@example.com", "name": "부모", "password": "abcdefghi"})
    assert r.status_code == 400 and r.get_json()["error"] == "invalid_password"
    r = client.post("/api/auth/register", json={"email": "p@example.com", "name": "부모", "password": "abcdefghij"})
    assert r.status_code == 201
    spec = client.get("/api/openapi.json").get_json()["components"]["schemas"]["RegisterRequest"]
    assert spec["properties"]["password"]["maxLength"] == 128
