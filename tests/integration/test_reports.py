"""The team report: exact numbers, who sees what, and a query count that does not grow."""

import pytest

from app.extensions import db
from app.orgs.operations import put_in_team
from tests.conftest import query_counter, submit_response


@pytest.fixture
def scored(world):
    """Alice and Bob submitted; the lead only has a draft."""
    w = world
    submit_response(
        w["cycle"],
        w["team"],
        w["alice"],
        {
            "data.contracts": 3,
            "data.quality-gates": 1,
            "data.lineage": None,
            "cost.cost-visibility": "na",
        },
        comment="Only the card feed has a contract",
    )
    submit_response(
        w["cycle"],
        w["team"],
        w["bob"],
        {"data.contracts": 1, "data.quality-gates": 1, "data.stewardship": 4},
    )
    submit_response(w["cycle"], w["team"], w["lead"], {"data.contracts": 0}, status="draft")
    return w


def report(client, team_id, cycle="2026-Q4"):
    return client.get(f"/o/acme/teams/{team_id}/report?cycle={cycle}")


def test_report_shows_the_exact_scores(client, scored, login):
    login("exec@acme.test")
    page = report(client, scored["team"].id).get_data(as_text=True)
    # data.contracts and data.quality-gates have weight 2, data.stewardship weight 1.
    # Alice: (2*3 + 2*1) / 4 = 2.0 ; Bob: (2*1 + 2*1 + 1*4) / 5 = 1.6 ; mean 1.8 ; sd 0.2
    assert '<td class="text-end fw-semibold">1.8</td>' in page
    assert "Agrees (σ 0.2)" in page
    # coverage: 5 levels / (6 questions * 2 respondents - 0 N/A) = 42%
    assert ">42%" in page
    # the draft never counts
    assert '<div class="stat-value">2</div>' in page


def test_executive_sees_aggregates_but_never_answers(client, scored, login):
    login("exec@acme.test")
    page = report(client, scored["team"].id).get_data(as_text=True)
    assert "Per question" not in page
    assert "Only the card feed has a contract" not in page


def test_lead_sees_per_question_breakdown_with_comments_without_authors(client, scored, login):
    login("lead@acme.test")
    page = report(client, scored["team"].id).get_data(as_text=True)
    assert "Per question" in page
    assert "Only the card feed has a contract" in page
    assert "<strong>Alice" not in page  # comments are anonymous unless the org names authors
    assert "shown without their author" in page


def test_an_org_that_names_authors_shows_them_to_the_lead(client, scored, login):
    scored["org"].comment_authors = True
    db.session.commit()
    login("lead@acme.test")
    page = report(client, scored["team"].id).get_data(as_text=True)
    assert "<strong>Alice" in page and "Only the card feed has a contract" in page


def test_member_sees_the_aggregate_report_only(client, scored, login):
    login("bob@acme.test")
    page = report(client, scored["team"].id).get_data(as_text=True)
    assert "Scores per challenge" in page and "Per question" not in page


def test_radar_chart_has_a_text_alternative(client, scored, login):
    login("exec@acme.test")
    page = report(client, scored["team"].id).get_data(as_text=True)
    assert (
        'role="img"' in page and '<title id="team-radar-title">Radar chart of Claims Triage' in page
    )


def test_report_query_count_does_not_grow_with_respondents(
    app, client, scored, login, make_user, monkeypatch
):
    monkeypatch.setenv("ASCENT_NO_READ_CACHE", "1")  # count the queries of a full render
    login("lead@acme.test")
    report(client, scored["team"].id)  # warm caches
    team_id = scored["team"].id
    statements, stop = query_counter(db.engine)
    db.session.expire_all()
    report(client, team_id)
    before = len(statements)
    for n in range(6):
        extra = make_user(f"extra{n}@acme.test", scored["org"])
        put_in_team(scored["team"], extra, "member")
        db.session.commit()
        submit_response(
            scored["cycle"],
            scored["team"],
            extra,
            {q: n % 5 for q in ("data.contracts", "data.lineage", "cost.right-sizing")},
            comment="c",
        )
    db.session.expire_all()
    statements.clear()
    page = report(client, team_id).get_data(as_text=True)
    stop()
    assert '<div class="stat-value">8</div>' in page
    assert len(statements) == before


def test_a_kept_report_is_rendered_again_after_each_change(client, scored, login, make_user):
    login("lead@acme.test")
    team = scored["team"]
    first = report(client, team.id).get_data(as_text=True)
    assert report(client, team.id).get_data(as_text=True) == first  # kept
    extra = make_user("late@acme.test", scored["org"])
    put_in_team(team, extra, "member")
    db.session.commit()
    submit_response(scored["cycle"], team, extra, {"data.contracts": 4}, comment="late one")
    after_submit = report(client, team.id).get_data(as_text=True)
    assert "late one" in after_submit and after_submit != first
    client.post(f"/o/acme/teams/{team.id}/targets", data={"target-data": "4"})
    assert report(client, team.id).get_data(as_text=True) != after_submit


def test_unknown_cycle_is_404(client, scored, login):
    login("exec@acme.test")
    assert report(client, scored["team"].id, cycle="1999-Q1").status_code == 404


def test_teams_overview_lists_every_team_with_overall(client, scored, login, make_team):
    make_team(scored["org"], "Pricing", unit="Insurance")
    login("exec@acme.test")
    page = client.get("/o/acme/teams/").get_data(as_text=True)
    assert "Claims Triage" in page and "Pricing" in page


def test_scoring_page_computes_the_worked_example(client):
    page = client.get("/scoring").get_data(as_text=True)
    # Ana (2*3+1*2+1*1)/4 = 2.25 ; Ben (2*2+1*2)/3 = 2.0 ; Chloe (2*1+1*1)/3 = 1.0 ; mean 1.75
    assert "2.250" in page and "2.000" in page and "1.000" in page
    assert "<strong>1.750</strong>" in page
    assert "7 / 8 = 88%" in page


def test_report_count_of_not_applicable(client, scored, login):
    login("exec@acme.test")
    page = report(client, scored["team"].id).get_data(as_text=True)
    assert "1 N/A" in page


def test_the_team_report_links_its_print_view_and_pdf(client, scored, login):
    login("lead@acme.test")
    team_id = scored["team"].id
    page = report(client, team_id).get_data(as_text=True)
    for path in (f"/o/acme/teams/{team_id}/print", f"/o/acme/teams/{team_id}/report.pdf"):
        assert f'href="{path}?cycle=2026-Q4"' in page
        assert client.get(f"{path}?cycle=2026-Q4").status_code == 200


def test_a_lead_is_called_a_lead_and_reaches_compare_and_trends(client, scored, login):
    login("lead@acme.test")
    page = client.get("/o/acme/").get_data(as_text=True)
    assert "Lee Lead · team lead" in page
    assert 'href="/o/acme/compare"' in page and 'href="/o/acme/trends"' in page
    assert client.get("/o/acme/trends").status_code == 200
    client.post("/logout")
    login("alice@acme.test")
    member = client.get("/o/acme/").get_data(as_text=True)
    assert "Alice · member" in member and 'href="/o/acme/compare"' not in member
