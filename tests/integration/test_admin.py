"""Org administration: people, roles, teams and cycles, and who may do it."""

import re

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Cycle, Membership, Team, TeamMember, User


def test_admin_adds_a_person_with_a_one_time_password(client, world, login):
    login("admin@acme.test")
    response = client.post(
        "/o/acme/admin/people",
        data={"email": "Dana@Acme-Insurance.com", "name": "Dana", "role": "executive"},
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    password = re.search(r"one-time password is (\S+) ", page).group(1)
    user = db.session.scalar(sa.select(User).where(User.email == "dana@acme-insurance.com"))
    assert user.must_change_password and user.check_password(password)
    role = db.session.scalar(sa.select(Membership.role).where(Membership.user_id == user.id))
    assert role == "executive"
    client.post("/logout")
    signed_in = client.post(
        "/login", data={"email": "dana@acme-insurance.com", "password": password}
    )
    assert signed_in.headers["Location"].endswith("/account/password")


def test_admin_creates_a_team_and_puts_people_in_it(client, world, login):
    login("admin@acme.test")
    response = client.post(
        "/o/acme/admin/teams", data={"name": "Pricing", "business_unit": "Insurance"}
    )
    team = db.session.scalar(sa.select(Team).where(Team.name == "Pricing"))
    assert team.business_unit == "Insurance"
    assert response.headers["Location"].endswith(f"/o/acme/admin/teams/{team.id}")
    client.post(f"/o/acme/admin/teams/{team.id}", data={"user_id": world["bob"].id, "role": "lead"})
    member = db.session.scalar(sa.select(TeamMember).where(TeamMember.team_id == team.id))
    assert (member.user_id, member.role) == (world["bob"].id, "lead")
    duplicate = client.post(
        "/o/acme/admin/teams", data={"name": "Pricing", "business_unit": "X"}, follow_redirects=True
    )
    assert "exists already" in duplicate.get_data(as_text=True)


def test_admin_removes_someone_from_a_team(client, world, login):
    login("admin@acme.test")
    client.post(f"/o/acme/admin/teams/{world['team'].id}/remove/{world['bob'].id}")
    assert not db.session.scalar(
        sa.select(TeamMember.id).where(
            TeamMember.team_id == world["team"].id, TeamMember.user_id == world["bob"].id
        )
    )


def test_admin_changes_a_role_but_keeps_one_admin(client, world, login):
    login("admin@acme.test")
    client.post(f"/o/acme/admin/people/{world['alice'].id}/role", data={"role": "executive"})
    assert (
        db.session.scalar(sa.select(Membership.role).where(Membership.user_id == world["alice"].id))
        == "executive"
    )
    last = client.post(
        f"/o/acme/admin/people/{world['admin'].id}/role",
        data={"role": "member"},
        follow_redirects=True,
    )
    assert "at least one admin" in last.get_data(as_text=True)


def test_admin_opens_and_closes_a_cycle(client, world, login, questionnaire_version):
    login("admin@acme.test")
    client.post(
        "/o/acme/admin/cycles",
        data={"name": "2027-Q1", "questionnaire_id": questionnaire_version.id},
    )
    cycle = db.session.scalar(sa.select(Cycle).where(Cycle.name == "2027-Q1"))
    assert cycle.is_open
    bad = client.post(
        "/o/acme/admin/cycles",
        data={"name": "2027 Q1!", "questionnaire_id": questionnaire_version.id},
    )
    assert "like 2026-Q4" in bad.get_data(as_text=True)
    client.post("/o/acme/admin/cycles/2027-Q1/close")
    db.session.refresh(cycle)
    assert not cycle.is_open


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/o/acme/admin/people"),
        ("get", "/o/acme/admin/teams"),
        ("get", "/o/acme/admin/cycles"),
        ("post", "/o/acme/admin/cycles/2026-Q4/close"),
    ],
)
@pytest.mark.parametrize("email", ["alice@acme.test", "exec@acme.test", "lead@acme.test"])
def test_only_admins_administer(client, world, login, method, path, email):
    login(email)
    assert getattr(client, method)(path).status_code == 403
    assert db.session.scalar(sa.select(Cycle.closed_at)) is None


def test_another_orgs_data_is_404(client, world, login, make_org, make_user, make_team, make_cycle):
    other = make_org("globex", "Globex")
    boss = make_user("boss@globex.test", other, "admin")
    secret = make_team(other, "Secret Models", boss)
    make_cycle(other, "2026-Q4")
    login("admin@acme.test")
    for path in [
        "/o/globex/",
        "/o/globex/admin/people",
        f"/o/globex/teams/{secret.id}/report",
        f"/o/acme/teams/{secret.id}/report",
        f"/o/acme/admin/teams/{secret.id}",
        f"/o/globex/survey/2026-Q4/{secret.id}/",
    ]:
        assert client.get(path).status_code == 404, path
    assert "Secret Models" not in client.get("/o/acme/teams/").get_data(as_text=True)
