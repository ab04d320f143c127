"""Every model in one import, for Alembic and the test fixtures."""

from app.audit.models import AuditEntry, PersonalDataAccess  # noqa: F401
from app.auth.models import ApiToken, Child, User, operator_facilities  # noqa: F401
from app.bookings.models import (  # noqa: F401
    Booking,
    BookingChild,
    BookingPolicy,
    Closure,
    DaycareClass,
    NoShow,
    NoShowCancellation,
    SessionTemplate,
    Slot,
)
from app.facilities.models import District, Facility, FacilityFlag  # noqa: F401
from app.lottery.models import LotteryDraw, LotteryEntry, LotteryRelease  # noqa: F401
from app.notifications.models import NotificationSettings, OutboxMessage  # noqa: F401
from app.privacy.models import PersonalDataPurge  # noqa: F401
