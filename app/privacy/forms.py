"""The account deletion form: the password again and an explicit confirmation (CSRF as every form)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField
from wtforms.validators import DataRequired, InputRequired


class DeleteAccountForm(FlaskForm):
    """Confirm deleting the account."""

    password = PasswordField("비밀번호", validators=[InputRequired("비밀번호를 입력해 주세요.")])
    confirm = BooleanField(
        "위 내용을 확인했고, 계정을 삭제합니다", validators=[DataRequired("삭제하려면 확인란을 선택해 주세요.")]
    )
