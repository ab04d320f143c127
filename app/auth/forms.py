"""Account forms (Flask-WTF: every form carries a CSRF token). Rules live in app.auth.services."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, StringField, SubmitField
from wtforms.validators import EqualTo, InputRequired, Length

from app.auth import services
from app.validation import SafeText


class RegisterForm(FlaskForm):
    """Sign-up for parents."""

    name = StringField(
        "이름",
        validators=[
            InputRequired("이름을 입력해 주세요."),
            Length(max=services.NAME_MAX_LENGTH, message=f"이름은 {services.NAME_MAX_LENGTH}자 이하여야 합니다."),
            SafeText("이름", services.NAME_MAX_LENGTH),
        ],
    )
    email = EmailField("이메일", validators=[InputRequired("이메일을 입력해 주세요.")])
    password = PasswordField(
        "비밀번호", validators=[InputRequired("비밀번호를 입력해 주세요.")], description=services.PASSWORD_RULE
    )
    password2 = PasswordField(
        "비밀번호 확인",
        validators=[
            InputRequired("비밀번호를 한 번 더 입력해 주세요."),
            EqualTo("password", "비밀번호가 서로 다릅니다."),
        ],
    )
    submit = SubmitField("가입하기")


class LoginForm(FlaskForm):
    """Log in with e-mail and password."""

    email = EmailField("이메일", validators=[InputRequired("이메일을 입력해 주세요.")])
    password = PasswordField("비밀번호", validators=[InputRequired("비밀번호를 입력해 주세요.")])
    submit = SubmitField("로그인")


class ChildForm(FlaskForm):
    """Register a child: only the name and the birth date."""

    name = StringField(
        "아이 이름",
        validators=[
            InputRequired("아이 이름을 입력해 주세요."),
            Length(
                max=services.CHILD_NAME_MAX_LENGTH,
                message=f"아이 이름은 {services.CHILD_NAME_MAX_LENGTH}자 이하여야 합니다.",
            ),
            SafeText("아이 이름", services.CHILD_NAME_MAX_LENGTH),
        ],
    )
    # A text field rendered as type=date: the service parses it and words the errors in Korean.
    birth_date = StringField(
        "생년월일",
        validators=[InputRequired("생년월일을 입력해 주세요.")],
        render_kw={"type": "date", "placeholder": "YYYY-MM-DD"},
    )
    submit = SubmitField("아이 등록")


class AddChildForm(ChildForm):
    """Register a child: the name, the birth date and the guardian's consent (services.consent_problem)."""

    consent = BooleanField("보호자로서 아이의 이름·생년월일 수집·이용에 동의합니다 (필수)")
