"""Forms of org administration."""

from flask_wtf import FlaskForm
from wtforms import DateField, EmailField, SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp

from ..models import ORG_ROLES, TEAM_ROLES

CYCLE_NAME = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"


class PersonForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Email(), Length(max=254)])
    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    role = SelectField(
        "Role in the organisation",
        choices=[SelectChoice(r, r.title()) for r in ORG_ROLES],
        default="member",
    )
    submit = SubmitField("Add person")


class RoleForm(FlaskForm):
    role = SelectField("Role", choices=[SelectChoice(r, r.title()) for r in ORG_ROLES])
    submit = SubmitField("Change role")


class TeamForm(FlaskForm):
    name = StringField("Team name", validators=[DataRequired(), Length(max=200)])
    business_unit = StringField("Business unit", validators=[DataRequired(), Length(max=200)])
    submit = SubmitField("Create team")


class TeamMemberForm(FlaskForm):
    user_id = SelectField("Person", coerce=int, validate_choice=True)
    role = SelectField(
        "Place in the team",
        choices=[SelectChoice(r, r.title()) for r in TEAM_ROLES],
        default="member",
    )
    submit = SubmitField("Add to team")


class CycleForm(FlaskForm):
    name = StringField(
        "Cycle name",
        validators=[
            DataRequired(),
            Length(max=60),
            Regexp(
                CYCLE_NAME,
                message="Use letters, digits, dots, dashes or underscores, like 2026-Q4.",
            ),
        ],
        description="For example 2026-Q4.",
    )
    questionnaire_id = SelectField("Questionnaire version", coerce=int, validate_choice=True)
    deadline = DateField(
        "Deadline (optional)",
        validators=[Optional()],
        description="Answers are due by the end of this day (UTC); reminders go out before it.",
    )
    submit = SubmitField("Open cycle")
