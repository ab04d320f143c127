"""Notification settings and password-reset forms (Flask-WTF: each carries a CSRF token)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, StringField, SubmitField
from wtforms.validators import EqualTo, InputRequired, Length

from app.auth.services import PASSWORD_RULE


class SettingsForm(FlaskForm):
    """Channels, reminders, phone number."""

    email = BooleanField("이메일로 받기")
    kakao = BooleanField("카카오 알림톡으로 받기 (안 되면 문자)")
    reminders = BooleanField("이용 전날 18시에 미리 알림 받기")
    phone = StringField(
        "휴대전화 번호 (선택)",
        validators=[Length(max=20, message="휴대전화 번호가 너무 깁니다.")],
        render_kw={"inputmode": "tel", "autocomplete": "tel", "placeholder": "010-1234-5678"},
    )
    clear_phone = BooleanField("저장된 번호 지우기")
    submit = SubmitField("저장")


class ForgotForm(FlaskForm):
    """Ask for a reset link."""

    email = EmailField("가입한 이메일", validators=[InputRequired("이메일을 입력해 주세요.")])
    submit = SubmitField("재설정 링크 받기")


class ResetForm(FlaskForm):
    """Choose a new password."""

    password = PasswordField(
        "새 비밀번호", validators=[InputRequired("새 비밀번호를 입력해 주세요.")], description=PASSWORD_RULE
    )
    password2 = PasswordField(
        "새 비밀번호 확인",
        validators=[
            InputRequired("새 비밀번호를 한 번 더 입력해 주세요."),
            EqualTo("password", "비밀번호가 서로 다릅니다."),
        ],
    )
    submit = SubmitField("비밀번호 바꾸기")
