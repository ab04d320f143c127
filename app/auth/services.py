"""Account rules: registration, login checks, children. Services flush; the request layer commits."""

from __future__ import annotations

import re
from datetime import date, datetime
from functools import lru_cache

from dateutil.relativedelta import relativedelta
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from app.auth.models import Child, User
from app.errors import DomainError
from app.validation import forbidden_character, text_problem

# KISA's password guide: 8+ characters of two kinds (letters, digits, symbols), or 10+ of one kind.
PASSWORD_MIN_LENGTH = 8
PASSWORD_MIN_LENGTH_ONE_KIND = 10
PASSWORD_MAX_LENGTH = 128
PASSWORD_RULE = (
    f"{PASSWORD_MIN_LENGTH}자 이상이면 영문자·숫자·특수문자 중 두 종류 이상, "
    f"{PASSWORD_MIN_LENGTH_ONE_KIND}자 이상이면 한 종류만 써도 됩니다 (최대 {PASSWORD_MAX_LENGTH}자)."
)
NAME_MAX_LENGTH = 100
CHILD_NAME_MAX_LENGTH = 50
CHILD_MAX_AGE_YEARS = 13
_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")


class AccountError(DomainError):
    """A refused account action with a stable code, a Korean message, an HTTP status and maybe a field."""

    def __init__(self, code: str, message: str, status: int = 400, field: str | None = None):
        super().__init__(code, message, status, field)


def normalise_email(raw: str | None) -> str:
    """E-mail addresses compare trimmed and lower-case."""
    return (raw or "").strip().lower()


def email_problem(email: str) -> str | None:
    """A Korean message if `email` (already normalised) is not a plausible address."""
    if not email:
        return "이메일을 입력해 주세요."
    if len(email) > 254 or not _EMAIL_RE.match(email):
        return "올바른 이메일 주소가 아닙니다. 예: parent@example.com"
    return None


def password_kinds(password: str) -> int:
    """How many kinds of characters (letters, digits, symbols) `password` uses; whitespace is none."""
    kinds = set()
    for char in password:
        if not char.isspace():
            kinds.add("letter" if char.isalpha() else "digit" if char.isdigit() else "symbol")
    return len(kinds)


def password_problem(password: str | None) -> str | None:
    """A Korean message if `password` breaks the rules (PASSWORD_RULE), else None."""
    password = password or ""
    if not password.strip():
        return "비밀번호를 입력해 주세요. 공백만으로는 만들 수 없습니다."
    if len(password) > PASSWORD_MAX_LENGTH:
        return f"비밀번호는 {PASSWORD_MAX_LENGTH}자 이하여야 합니다."
    if forbidden_character(password):
        return "비밀번호에 제어 문자나 보이지 않는 문자를 쓸 수 없습니다."
    if len(password) < PASSWORD_MIN_LENGTH:
        return f"비밀번호는 {PASSWORD_MIN_LENGTH}자 이상이어야 합니다. {PASSWORD_RULE}"
    if len(password) < PASSWORD_MIN_LENGTH_ONE_KIND and password_kinds(password) < 2:
        return (
            f"{PASSWORD_MIN_LENGTH_ONE_KIND}자보다 짧은 비밀번호는 영문자·숫자·특수문자 중 두 종류 이상을 "
            f"섞어야 합니다. 한 종류만 쓰려면 {PASSWORD_MIN_LENGTH_ONE_KIND}자 이상으로 만들어 주세요."
        )
    return None


def name_problem(name: str) -> str | None:
    """A Korean message if a person's display name is empty or too long."""
    if not name:
        return "이름을 입력해 주세요."
    if len(name) > NAME_MAX_LENGTH:
        return f"이름은 {NAME_MAX_LENGTH}자 이하여야 합니다."
    return text_problem(name, "이름", NAME_MAX_LENGTH)


def find_user_by_email(session: Session, email: str) -> User | None:
    """The user with this e-mail (compared normalised), or None."""
    return session.scalar(select(User).where(func.lower(User.email) == normalise_email(email)))


def register_parent(session: Session, email: str | None, password: str | None, name: str | None) -> User:
    """Create a parent account, or raise AccountError (400 invalid, 409 e-mail taken)."""
    email, name = normalise_email(email), (name or "").strip()
    for field, problem in (
        ("email", email_problem(email)),
        ("password", password_problem(password)),
        ("name", name_problem(name)),
    ):
        if problem:
            raise AccountError("invalid_" + field, problem, 400, field)
    taken = AccountError("email_taken", "이미 가입된 이메일입니다. 로그인하거나 다른 이메일을 쓰세요.", 409, "email")
    if find_user_by_email(session, email) is not None:
        raise taken
    user = User(email=email, name=name, role="parent", is_locked=False)
    user.set_password(password)
    try:
        with session.begin_nested():  # the unique constraint decides a race between two sign-ups
            session.add(user)
    except IntegrityError:
        raise taken from None
    return user


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return generate_password_hash("not-a-real-password")


def authenticate(session: Session, email: str | None, password: str | None) -> User:
    """The user these credentials identify, or AccountError (401 wrong, 403 locked)."""
    user = find_user_by_email(session, email or "")
    if user is None:
        # Hash anyway, so the response time does not tell which e-mails have accounts.
        check_password_hash(_dummy_hash(), password or "")
    if user is None or not user.check_password(password or ""):
        raise AccountError("invalid_credentials", "이메일 또는 비밀번호가 맞지 않습니다.", 401)
    if user.is_locked:
        raise AccountError("account_locked", "잠긴 계정입니다. 고객센터에 문의해 주세요.", 403)
    return user


def load_user(session: Session, user_id: str) -> User | None:
    """The session's user for Flask-Login from "id:generation"; a stale generation or a locked account is nobody."""
    raw_id, _, raw_generation = (user_id or "").partition(":")
    try:
        uid, generation = int(raw_id), int(raw_generation)
    except ValueError:
        return None
    if not 0 < uid < 2**63:
        return None
    user = session.get(User, uid)
    if user is None or user.is_locked or generation != (user.session_generation or 0):
        return None
    return user


def child_problems(name: str, birth_date: date | None, today: date) -> dict[str, str]:
    """Korean messages per field for a child's details (empty when valid)."""
    problems = {}
    if not name:
        problems["name"] = "아이 이름을 입력해 주세요."
    elif len(name) > CHILD_NAME_MAX_LENGTH:
        problems["name"] = f"아이 이름은 {CHILD_NAME_MAX_LENGTH}자 이하여야 합니다."
    elif problem := text_problem(name, "아이 이름", CHILD_NAME_MAX_LENGTH):
        problems["name"] = problem
    if birth_date is None:
        problems["birth_date"] = "생년월일을 YYYY-MM-DD 형식으로 입력해 주세요."
    elif birth_date > today:
        problems["birth_date"] = "생년월일이 미래일 수 없습니다."
    elif birth_date < today - relativedelta(years=CHILD_MAX_AGE_YEARS):
        problems["birth_date"] = f"만 {CHILD_MAX_AGE_YEARS}세 이하 아이만 등록할 수 있습니다."
    return problems


def parse_birth_date(raw) -> date | None:
    """An ISO date (YYYY-MM-DD) from a string, or None if it is not one."""
    if isinstance(raw, date):
        return raw
    if not isinstance(raw, str):
        return None
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        return None


def _duplicate_child(session: Session, parent: User, name: str, birth_date: date, other_than: int | None = None):
    """AccountError(duplicate_child) if the parent already registered a child with this name and birth date."""
    query = select(Child.id).where(Child.parent_id == parent.id, Child.name == name, Child.birth_date == birth_date)
    if other_than is not None:
        query = query.where(Child.id != other_than)
    duplicate = AccountError(
        "duplicate_child", f"{name}({birth_date.isoformat()}) 아이는 이미 등록되어 있습니다.", 409, "name"
    )
    return duplicate if session.scalar(query.limit(1)) is not None else None


def _save_child(session: Session, child: Child, duplicate: AccountError) -> Child:
    """Flush the child; the unique constraint (uq_children_parent_name_birth) decides a race as a duplicate."""
    try:
        with session.begin_nested():
            session.add(child)
    except IntegrityError:
        raise duplicate from None
    return child


CONSENT_MESSAGE = "아이의 개인정보(이름·생년월일) 수집·이용에 보호자로서 동의해 주세요."


def consent_problem(consent) -> str | None:
    """A Korean message unless the guardian consented: only a real `true` counts (not "yes", not 1)."""
    return None if consent is True else CONSENT_MESSAGE


def add_child(
    session: Session,
    parent: User,
    name: str | None,
    birth_date: date | None,
    today: date,
    *,
    consent,
    policy_version: str,
    now: datetime,
) -> Child:
    """Register a child for `parent` with the guardian's consent to `policy_version`, or raise AccountError
    (422 naming the first bad field, 422 consent_required, 409 duplicate_child)."""
    name = (name or "").strip()
    problems = child_problems(name, birth_date, today)
    if problems:
        field, message = next(iter(problems.items()))
        raise AccountError("invalid_" + field, message, 422, field)
    if problem := consent_problem(consent):
        raise AccountError("consent_required", problem, 422, "consent")
    if duplicate := _duplicate_child(session, parent, name, birth_date):
        raise duplicate
    child = Child(parent_id=parent.id, name=name, birth_date=birth_date, consent_at=now, consent_version=policy_version)
    return _save_child(session, child, AccountError("duplicate_child", "이미 등록된 아이입니다.", 409, "name"))


def update_child(
    session: Session, parent: User, child_id: int, name: str | None, birth_date: date | None, today: date
) -> Child:
    """Change a child's name and/or birth date (None keeps it); the same rules as add_child, 404 if not theirs."""
    child = child_of(session, parent, child_id)
    if child is None:
        raise AccountError("not_found", "아이를 찾을 수 없습니다.", 404)
    name = child.name if name is None else name.strip()
    birth_date = child.birth_date if birth_date is None else birth_date
    problems = child_problems(name, birth_date, today)
    if problems:
        field, message = next(iter(problems.items()))
        raise AccountError("invalid_" + field, message, 422, field)
    if duplicate := _duplicate_child(session, parent, name, birth_date, other_than=child.id):
        raise duplicate
    child.name, child.birth_date = name, birth_date
    return _save_child(session, child, AccountError("duplicate_child", "이미 등록된 아이입니다.", 409, "name"))


def children_of(session: Session, parent: User) -> list[Child]:
    """A parent's children, oldest registration first."""
    return list(session.scalars(select(Child).where(Child.parent_id == parent.id).order_by(Child.id)))


def child_rows(session: Session, parent: User, today: date) -> list[dict]:
    """The parent's children for the children page, each with 연나이 (this year − birth year)."""
    return [{"child": c, "age": today.year - c.birth_date.year} for c in children_of(session, parent)]


def child_of(session: Session, parent: User, child_id: int) -> Child | None:
    """One of the parent's own children, or None (another parent's child is not found)."""
    return session.scalar(select(Child).where(Child.id == child_id, Child.parent_id == parent.id))
