"""Admin changes to accounts, operator assignments and flagged rows; each writes an audit entry."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session, joinedload

from app.audit import record
from app.auth import services as accounts
from app.auth.models import ROLES, User
from app.bookings.models import CityPolicy
from app.bookings.policy import city_policy
from app.errors import DomainError
from app.facilities.choices import FacilityKind, FlagStatus
from app.facilities.models import District, Facility, FacilityFlag

FLAG_STATUSES = FlagStatus.values()
NO_DISTRICT = "none"  # the district filter's value for facilities without a district
BULK_MAX = 200
SEARCH_LIMIT = 20
SEOUL_BOUNDS = (37.41, 37.72, 126.76, 127.19)  # lat min/max, lon min/max with a small margin


class AdminError(DomainError):
    """A refused admin action, with a Korean message for the page or API (code: admin_refused)."""

    def __init__(self, message: str, field: str | None = None, status: int = 422, code: str = "admin_refused"):
        super().__init__(code, message, status, field)


_USER_AUDITED = ("email", "name", "role", "is_locked")


def _user_state(user: User) -> dict:
    """What the audit log keeps of an account: its audited columns and its facilities' ids."""
    state = {column: getattr(user, column) for column in _USER_AUDITED}
    state["facilities"] = sorted(f.id for f in user.facilities)
    return state


def facilities_by_id(session: Session, ids) -> list[Facility]:
    """The facilities with these ids; AdminError naming any id that does not exist."""
    wanted = sorted({int(i) for i in ids})
    found = {f.id: f for f in session.scalars(select(Facility).where(Facility.id.in_(wanted)))} if wanted else {}
    missing = [i for i in wanted if i not in found]
    if missing:
        raise AdminError("없는 시설 ID: " + ", ".join(map(str, missing)), "facilities")
    return [found[i] for i in wanted]


def search_facilities(session: Session, text: str, limit: int = SEARCH_LIMIT) -> list[Facility]:
    """Facilities whose name holds `text` (names that start with it first), for assigning them by name."""
    text = " ".join((text or "").split())[:100]
    if not text:
        return []
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    starts = case((Facility.name.ilike(f"{escaped}%", escape="\\"), 0), else_=1)
    query = (
        select(Facility)
        .where(Facility.name.ilike(f"%{escaped}%", escape="\\"))
        .options(joinedload(Facility.district))
        .order_by(starts, Facility.name, Facility.id)
        .limit(limit)
    )
    return list(session.scalars(query))


def facility_by_name(session: Session, text: str) -> Facility:
    """The one facility a typed name means (exact name first); AdminError when none or several match."""
    found = search_facilities(session, text, limit=SEARCH_LIMIT + 1)
    exact = [f for f in found if f.name == " ".join(text.split())]
    if len(exact) == 1 or len(found) == 1:
        return (exact or found)[0]
    if not found:
        raise AdminError(f"‘{text}’ 이름의 시설을 찾지 못했습니다.", "facilities")
    names = ", ".join(f"{f.name} (#{f.id})" for f in found[:5])
    raise AdminError(f"‘{text}’에 맞는 시설이 여러 곳입니다: {names}. 목록에서 하나를 골라 주세요.", "facilities")


def facility_choice(facility: Facility) -> dict:
    """One search result as JSON for the picker: text only, the browser sets it with textContent."""
    return {
        "id": facility.id,
        "name": facility.name,
        "kind": FacilityKind(facility.kind).label,
        "district": facility.district.name if facility.district else "",
        "address": facility.address or "",
    }


def create_user(
    session: Session,
    actor: User | None,
    email: str,
    role: str,
    password: str,
    name: str | None,
    facility_ids,
    now: datetime,
) -> User:
    """Create an account of any role (operators with their facilities) and audit it."""
    email = accounts.normalise_email(email)
    if role not in ROLES:
        raise AdminError(f"역할은 {', '.join(ROLES)} 중 하나여야 합니다.", "role")
    problem = accounts.email_problem(email)
    if problem:
        raise AdminError(problem, "email")
    problem = accounts.password_problem(password)
    if problem:
        raise AdminError(problem, "password")
    name = (name or "").strip() or email.split("@")[0]
    problem = accounts.name_problem(name)
    if problem:
        raise AdminError(problem, "name")
    facilities = facilities_by_id(session, facility_ids)
    if facilities and role != "operator":
        raise AdminError("시설은 운영자 계정에만 배정할 수 있습니다.", "facilities")
    if accounts.find_user_by_email(session, email) is not None:
        raise AdminError("이미 가입된 이메일입니다.", "email", 409)
    user = User(email=email, name=name, role=role, is_locked=False, created_at=now)
    user.set_password(password)
    user.facilities = facilities
    session.add(user)
    session.flush()
    record(session, actor, "user.create", "user", user.id, None, _user_state(user), now)
    return user


def set_locked(session: Session, actor: User | None, user: User, locked: bool, now: datetime) -> bool:
    """Lock or unlock an account; False when nothing changed. Admins cannot lock themselves out."""
    if actor is not None and actor.id == user.id and locked:
        raise AdminError("자기 계정은 잠글 수 없습니다.", status=409)
    if user.is_locked == locked:
        return False
    before = _user_state(user)
    user.is_locked = locked
    session.flush()
    record(session, actor, "user.lock" if locked else "user.unlock", "user", user.id, before, _user_state(user), now)
    return True


def set_assignment(
    session: Session, actor: User | None, operator: User, facility_id: int, assigned: bool, now: datetime
) -> bool:
    """Assign a facility to an operator or take it away; False when nothing changed."""
    if operator.role != "operator":
        raise AdminError("운영자 계정에만 시설을 배정할 수 있습니다.", "facilities")
    (facility,) = facilities_by_id(session, [facility_id])
    if (facility in operator.facilities) == assigned:
        return False
    before = _user_state(operator)
    if assigned:
        operator.facilities.append(facility)
    else:
        operator.facilities.remove(facility)
    session.flush()
    record(
        session,
        actor,
        "operator.assign" if assigned else "operator.unassign",
        "user",
        operator.id,
        before,
        _user_state(operator),
        now,
    )
    return True


def list_users(session: Session, role: str = "") -> list[User]:
    """Accounts, operators and admins first, then by e-mail."""
    query = select(User).order_by(User.role.desc(), User.email)
    if role:
        query = query.where(User.role == role)
    return list(session.scalars(query))


@dataclass(frozen=True)
class FlagFilter:
    """The flags page's filters; empty strings mean any."""

    reason: str = ""
    district: str = ""
    kind: str = ""
    status: str = FlagStatus.OPEN.value


def _flag_query(filters: FlagFilter):
    query = select(FacilityFlag).join(Facility, Facility.id == FacilityFlag.facility_id)
    if filters.reason:
        query = query.where(FacilityFlag.reason == filters.reason)
    if filters.status:
        query = query.where(FacilityFlag.status == filters.status)
    if filters.kind:
        query = query.where(Facility.kind == filters.kind)
    if filters.district == NO_DISTRICT:
        query = query.where(Facility.district_code.is_(None))
    elif filters.district:
        query = query.where(Facility.district_code == filters.district)
    return query


def list_flags(
    session: Session, filters: FlagFilter = FlagFilter(), limit: int = 50, offset: int = 0
) -> tuple[list[FacilityFlag], int]:
    """One page of flagged rows with their facility, filtered, and the total count."""
    query = _flag_query(filters)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    order = (FacilityFlag.reason, Facility.district_code, Facility.name, FacilityFlag.id)
    query = query.options(joinedload(FacilityFlag.facility)).order_by(*order).limit(limit).offset(offset)
    rows = session.scalars(query)
    return list(rows), total


def flags_by_id(session: Session, ids) -> list[FacilityFlag]:
    """The flags with these ids (unknown ids are left out: a flag may have gone with a re-import)."""
    wanted = sorted({int(i) for i in ids})
    return list(session.scalars(select(FacilityFlag).where(FacilityFlag.id.in_(wanted)))) if wanted else []


def flag_counts(session: Session) -> dict[str, int]:
    """How many flags are in each status."""
    rows = session.execute(select(FacilityFlag.status, func.count()).group_by(FacilityFlag.status))
    return {status: count for status, count in rows}


def _place(facility: Facility) -> dict:
    return {"lat": facility.lat, "lon": facility.lon, "district_code": facility.district_code}


def fix_flag(
    session: Session,
    actor: User | None,
    flag: FacilityFlag,
    lat: float | None,
    lon: float | None,
    district_code: str | None,
    now: datetime,
) -> FacilityFlag:
    """Correct the facility's coordinates and/or district and mark the flag fixed."""
    if (lat is None) != (lon is None):
        raise AdminError("위도와 경도를 함께 입력해 주세요.", "lat")
    if lat is not None and not (
        SEOUL_BOUNDS[0] <= lat <= SEOUL_BOUNDS[1] and SEOUL_BOUNDS[2] <= lon <= SEOUL_BOUNDS[3]
    ):
        raise AdminError("서울 안의 좌표가 아닙니다 (위도 37.41–37.72, 경도 126.76–127.19).", "lat")
    if district_code and session.get(District, district_code) is None:
        raise AdminError(f"없는 자치구 코드: {district_code}", "district_code")
    if lat is None and not district_code:
        raise AdminError("고칠 좌표나 자치구를 입력해 주세요.", "lat")
    facility = flag.facility
    before = {**_place(facility), "flag_status": flag.status}
    if lat is not None:
        facility.lat, facility.lon = lat, lon
    if district_code:
        facility.district_code = district_code
    facility.updated_at = now
    flag.status = FlagStatus.FIXED
    session.flush()
    record(
        session,
        actor,
        "flag.fix",
        "facility_flag",
        flag.id,
        {**before, "reason": flag.reason},
        {**_place(facility), "flag_status": flag.status, "reason": flag.reason},
        now,
    )
    return flag


def accept_flag(session: Session, actor: User | None, flag: FacilityFlag, now: datetime) -> FacilityFlag:
    """Keep the row as imported and mark the flag accepted."""
    before = flag.status
    flag.status = FlagStatus.ACCEPTED
    session.flush()
    record(
        session,
        actor,
        "flag.accept",
        "facility_flag",
        flag.id,
        {"flag_status": before, "reason": flag.reason},
        {"flag_status": flag.status, "reason": flag.reason},
        now,
    )
    return flag


def bulk_flags(
    session: Session,
    actor: User | None,
    flags: list[FacilityFlag],
    action: str,
    district_code: str | None,
    now: datetime,
) -> int:
    """Accept the chosen flags, or fix them by setting one district; each audited as on its own. How many changed."""
    if not flags:
        raise AdminError("처리할 행을 하나 이상 고르세요.", "flag_ids")
    if len(flags) > BULK_MAX:
        raise AdminError(f"한 번에 {BULK_MAX}건까지 처리할 수 있습니다.", "flag_ids")
    if action == "accept":
        todo = [f for f in flags if f.status != FlagStatus.ACCEPTED]
        for flag in todo:
            accept_flag(session, actor, flag, now)
        return len(todo)
    if action == "district":
        if not district_code:
            raise AdminError("바꿀 자치구를 고르세요.", "district_code")
        for flag in flags:
            fix_flag(session, actor, flag, None, None, district_code, now)
        return len(flags)
    raise AdminError("알 수 없는 처리입니다.", "action", 400)


def dashboard_counts(session: Session) -> dict:
    """Figures for the admin dashboard."""
    roles = dict(session.execute(select(User.role, func.count()).group_by(User.role)).all())
    return {
        "facilities": session.scalar(select(func.count(Facility.id))) or 0,
        "roles": {role: roles.get(role, 0) for role in ROLES},
        "locked": session.scalar(select(func.count(User.id)).where(User.is_locked.is_(True))) or 0,
        "flags": flag_counts(session),
    }


def save_city_policy(session: Session, actor: User | None, no_show_ban_days: int, now: datetime) -> bool:
    """Store the city-wide rules; False when nothing changed."""
    policy = city_policy(session)
    if policy.no_show_ban_days == no_show_ban_days and session.get(CityPolicy, 1) is not None:
        return False
    before = {"no_show_ban_days": policy.no_show_ban_days}
    policy.no_show_ban_days, policy.updated_at = no_show_ban_days, now
    session.add(policy)
    session.flush()
    record(session, actor, "city_policy.update", "city_policy", 1, before, {"no_show_ban_days": no_show_ban_days}, now)
    return True
