"""Admin forms (Flask-WTF, so every POST carries a CSRF token). Rules live in app.admin.services."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import (
    BooleanField,
    EmailField,
    FloatField,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectField,
    StringField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, NumberRange, Optional

from app.bookings.policy import NO_SHOW_BAN_DAYS_MAX
from app.validation import SafeText

COMPLETE_HINT = (
    "체크하면 이 파일에 없는 같은 출처의 시설을 '원본 파일에 없음'으로 표시합니다 (지우지는 않습니다). "
    "몇 곳만 추가·수정하는 파일이면 체크하지 마세요."
)


class UploadForm(FlaskForm):
    """Several data files at once (CSV, JSON, GeoJSON)."""

    files = MultipleFileField(
        "데이터 파일",
        validators=[InputRequired("파일을 하나 이상 고르세요.")],
        description="CSV·JSON·GeoJSON, 여러 개 선택 가능. 자치구 경계 파일을 함께 올리면 그것을 씁니다.",
    )
    complete = BooleanField("이 파일은 해당 출처의 전체 목록입니다", description=COMPLETE_HINT)


class OperatorForm(FlaskForm):
    """A new account, usually an operator with facilities."""

    email = EmailField("이메일", validators=[InputRequired("이메일을 입력해 주세요.")])
    name = StringField("이름", validators=[Optional(), SafeText("이름", 100)])
    role = SelectField(
        "역할",
        choices=[SelectChoice("operator", "운영자"), SelectChoice("admin", "관리자"), SelectChoice("parent", "보호자")],
        default="operator",
    )
    password = PasswordField(
        "임시 비밀번호",
        validators=[InputRequired("비밀번호를 입력해 주세요.")],
        description="8자 이상, 숫자만으로는 안 됩니다. 본인에게 따로 알려 주세요.",
    )
    facilities = StringField(
        "맡을 시설",
        validators=[Optional()],
        description="운영자만: 시설 이름을 입력하고 목록에서 고르세요 (여러 곳 가능).",
    )


class FlagFixForm(FlaskForm):
    """Corrected coordinates and/or district for a flagged facility."""

    lat = FloatField("위도", validators=[Optional()])
    lon = FloatField("경도", validators=[Optional()])
    district_code = StringField("자치구 코드", validators=[Optional()])  # checked against District by the service


class ActionForm(FlaskForm):
    """A bare CSRF-protected button (accept, lock, unassign)."""

    value = HiddenField()


class CityPolicyForm(FlaskForm):
    """Rules that hold for every facility in the city."""

    no_show_ban_days = IntegerField(
        "노쇼 예약 제한 (일)",
        validators=[
            InputRequired("일수를 입력해 주세요."),
            NumberRange(0, NO_SHOW_BAN_DAYS_MAX, f"0일에서 {NO_SHOW_BAN_DAYS_MAX}일 사이로 입력해 주세요."),
        ],
        description=(
            "노쇼로 처리된 보호자가 서울시 모든 시설에서 새로 예약할 수 없는 기간입니다. 0이면 제한하지 않습니다."
        ),
    )
