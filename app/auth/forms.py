"""Forms of the auth blueprint."""

from flask import abort
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired()])
    password = PasswordField("Password", validators=[DataRequired()])
    remember = BooleanField("Keep me signed in")
    submit = SubmitField("Sign in")


class ChangePasswordForm(FlaskForm):
    current = PasswordField("Current password", validators=[DataRequired()])
    new = PasswordField(
        "New password",
        validators=[
            DataRequired(),
            Length(max=200, message="Use at most 200 characters."),
        ],
    )
    confirm = PasswordField(
        "Repeat the new password",
        validators=[DataRequired(), EqualTo("new", message="The two new passwords differ.")],
    )
    submit = SubmitField("Change password")


class EmptyForm(FlaskForm):
    """A form with only its CSRF token, for buttons that POST."""

    submit = SubmitField("Submit")


class ForgotForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    submit = SubmitField("Send me a link")


class NewPasswordForm(FlaskForm):
    """Choose a password from a one-time link (invitation or reset)."""

    new = PasswordField(
        "Password",
        validators=[DataRequired(), Length(max=200, message="Use at most 200 characters.")],
    )
    confirm = PasswordField(
        "Repeat the password",
        validators=[DataRequired(), EqualTo("new", message="The two passwords differ.")],
    )
    submit = SubmitField("Save password")


class SsoStartForm(FlaskForm):
    """Find the org whose provider a person signs in with: their work email, or its slug."""

    email = StringField(
        "Work email (or your organisation's short name)",
        validators=[DataRequired(), Length(max=254, message="Use at most 254 characters.")],
    )
    submit = SubmitField("Continue")


def require_form() -> None:
    """Refuse with a 400 a POST whose form lacks this site's valid CSRF token."""
    if not EmptyForm().validate_on_submit():
        abort(400, "The form expired or was not sent from this site. Reload and try again.")
