"""Org administration: people, roles, teams and cycles, and who may do it."""

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Cycle, Membership, Team, TeamMember
from app.orgs import operations as org_ops
from tests.conftest import submit_response


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
    second = client.post(
        "/o/acme/admin/cycles",
        data={"name": "2027-Q1", "questionnaire_id": questionnaire_version.id},
        follow_redirects=True,
    )
    assert "2026-Q4 is still open. Close it before opening 2027-Q1" in second.get_data(as_text=True)
    assert db.session.scalar(sa.select(Cycle).where(Cycle.name == "2027-Q1")) is None
    client.post("/o/acme/admin/cycles/2026-Q4/close")
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


def test_closing_asks_first_and_says_how_many_drafts_will_not_count(client, world, login):
    submit_response(world["cycle"], world["team"], world["alice"], {"data.contracts": 2})
    submit_response(
        world["cycle"], world["team"], world["bob"], {"data.contracts": 1}, status="draft"
    )
    login("admin@acme.test")
    listing = client.get("/o/acme/admin/cycles").get_data(as_text=True)
    assert "Close 2026-Q4…" in listing
    confirm = client.get("/o/acme/admin/cycles/2026-Q4/close").get_data(as_text=True)
    assert "1 draft will not count." in confirm and "1</strong> submitted response" in confirm
    assert world["cycle"].is_open  # looking at the question changes nothing
    client.post("/o/acme/admin/cycles/2026-Q4/close")
    db.session.refresh(world["cycle"])
    assert not world["cycle"].is_open


def test_a_closed_cycle_can_be_reopened_unless_another_is_open(
    client, world, login, questionnaire_version
):
    login("admin@acme.test")
    client.post("/o/acme/admin/cycles/2026-Q4/close")
    assert "Reopen…" in client.get("/o/acme/admin/cycles").get_data(as_text=True)
    reopened = client.post("/o/acme/admin/cycles/2026-Q4/reopen", follow_redirects=True)
    assert "Reopened 2026-Q4" in reopened.get_data(as_text=True)
    db.session.refresh(world["cycle"])
    assert world["cycle"].is_open
    client.post("/o/acme/admin/cycles/2026-Q4/close")
    client.post(
        "/o/acme/admin/cycles",
        data={"name": "2027-Q1", "questionnaire_id": questionnaire_version.id},
    )
    refused = client.post("/o/acme/admin/cycles/2026-Q4/reopen", follow_redirects=True)
    assert "2027-Q1 is still open" in refused.get_data(as_text=True)
    db.session.refresh(world["cycle"])
    assert not world["cycle"].is_open


def test_a_new_empty_cycle_does_not_blank_the_reports(client, world, login, make_cycle):
    submit_response(world["cycle"], world["team"], world["alice"], {"data.contracts": 3})
    org_ops.close_cycle(world["cycle"])
    db.session.commit()
    make_cycle(world["org"], "2027-Q1")
    login("exec@acme.test")
    for path in ("/o/acme/dashboard", "/o/acme/teams/", "/o/acme/"):
        page = client.get(path).get_data(as_text=True)
        assert "3.0" in page, path  # 2026-Q4's data foundations score, not an empty cycle
    dashboard = client.get("/o/acme/dashboard").get_data(as_text=True)
    assert "Showing 2026-Q4, the latest cycle with submitted responses" in dashboard
    chosen = client.get("/o/acme/dashboard?cycle=2027-Q1").get_data(as_text=True)
    assert "0<span" in chosen or "no responses" in chosen.lower() or "0 / 1" in chosen


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


def test_names_longer_than_their_columns_are_refused_with_a_message(client, world, login):
    login("admin@acme.test")
    long_profile = client.post(
        "/o/acme/admin/profiles",
        data={"name": "p" * 121, "description": "x"},
        follow_redirects=True,
    )
    assert long_profile.status_code < 500
    assert "at most 120 characters" in long_profile.get_data(as_text=True)
    long_team = client.post(
        "/o/acme/admin/teams", data={"name": "t" * 201, "business_unit": "X"}, follow_redirects=True
    )
    assert long_team.status_code < 500
    assert db.session.scalar(sa.select(Team).where(Team.name == "t" * 201)) is None


def _people_rows(page: str) -> str:
    """Return the people table of the admin page, or '' when it shows none."""
    return page.split("<tbody>")[1].split("</tbody>")[0] if "<tbody>" in page else ""


@pytest.mark.parametrize(
    "query, found, not_found",
    [
        ("ali", {"Alice"}, {"Bob", "Lee Lead"}),
        ("BOB@ACME", {"Bob"}, {"Alice"}),
        ("  lee   lead ", {"Lee Lead"}, {"Bob"}),
        ("acme.test", {"Alice", "Bob", "Lee Lead", "Ada Admin"}, set()),
    ],
)
def test_admin_searches_people_by_name_or_email(client, world, login, query, found, not_found):
    login("admin@acme.test")
    response = client.get("/o/acme/admin/people", query_string={"q": query})
    assert response.status_code == 200
    rows = _people_rows(response.get_data(as_text=True))
    assert all(f"<td>{name}" in rows for name in found)
    assert not any(f"<td>{name}" in rows for name in not_found)


def test_a_search_treats_like_wildcards_as_plain_text(client, world, login, make_user):
    make_user("under_score@acme.test", world["org"], name="Una 100% Sure")
    login("admin@acme.test")
    for query in ("_", "%", "0%"):
        page = client.get("/o/acme/admin/people", query_string={"q": query}).get_data(as_text=True)
        rows = _people_rows(page)
        assert "<td>Una 100% Sure" in rows and "<td>Alice" not in rows, query
    page = client.get("/o/acme/admin/people?q=%5C").get_data(as_text=True)  # a backslash
    assert "Nobody&#39;s name or email holds" in page or "Nobody's name or email holds" in page
    assert "People (0 of 6)" in page


@pytest.mark.parametrize(
    "query, message",
    [
        ("x" * 101, "A search holds at most 100 characters."),
        ("bob\x00", "control character"),
        ("a\x1bb", "control character"),
    ],
)
def test_a_search_too_long_or_with_control_characters_is_refused(
    client, world, login, query, message
):
    login("admin@acme.test")
    response = client.get("/o/acme/admin/people", query_string={"q": query})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


def test_a_member_cannot_search_people(client, world, login):
    login("bob@acme.test")
    assert client.get("/o/acme/admin/people?q=ali").status_code == 403


def test_adding_an_existing_member_is_refused_and_keeps_what_was_typed(
    client, world, login, make_user
):
    rob = make_user("rob@acme-insurance.com", world["org"], name="Rob")
    login("admin@acme.test")
    response = client.post(
        "/o/acme/admin/people",
        data={"email": "Rob@Acme-Insurance.com", "name": "Robert Typed", "role": "executive"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "rob@acme-insurance.com is in Acme Insurance already, as Rob" in page
    assert 'value="Robert Typed"' in page and 'value="Rob@Acme-Insurance.com"' in page
    assert '<option selected value="executive">' in page
    role = db.session.scalar(sa.select(Membership.role).where(Membership.user_id == rob.id))
    assert role == "member"  # nothing changed behind the admin's back


def test_an_invalid_email_keeps_the_typed_name(client, world, login):
    login("admin@acme.test")
    response = client.post(
        "/o/acme/admin/people", data={"email": "not-an-email", "name": "Nia New", "role": "member"}
    )
    assert response.status_code == 422
    assert 'value="Nia New"' in response.get_data(as_text=True)
