"""The compare page, its CSV, the heatmap and trends, and the stored scores behind them."""

import csv
import io
import re

import pytest
import sqlalchemy as sa

from app.comparisons import comparison
from app.extensions import db
from app.models import TeamScoreRow
from app.orgs import operations as org_ops
from tests.conftest import submit_response


@pytest.fixture
def teams(world, make_team, make_user, make_cycle, client, login):
    """Three teams answered in 2026-Q4 through the survey, so the stored scores follow."""
    org = world["org"]
    b_lead = make_user("b@acme.test", org)
    c_lead = make_user("c@acme.test", org)
    pricing = make_team(org, "Pricing", b_lead, unit="Insurance")
    churn = make_team(org, "Churn", c_lead, unit="Banking")
    for email, team, level in (
        ("alice@acme.test", world["team"], "1"),
        ("b@acme.test", pricing, "3"),
        ("c@acme.test", churn, "2"),
    ):
        login(email)
        client.post(f"/o/acme/survey/2026-Q4/{team.id}/")
        client.post(
            f"/o/acme/survey/2026-Q4/{team.id}/data",
            data={"answer-data.contracts": level, "answer-data.lineage": level},
        )
        client.post(f"/o/acme/survey/2026-Q4/{team.id}/submit")
        client.post("/logout")
    return {"claims": world["team"], "pricing": pricing, "churn": churn, **world}


def test_submitting_stores_scores_and_rebuilds_the_comparison(teams):
    stored = db.session.scalar(
        sa.select(TeamScoreRow.score).where(
            TeamScoreRow.team_id == teams["pricing"].id, TeamScoreRow.challenge == "data"
        )
    )
    assert stored == 3
    document = comparison(teams["cycle"])
    rows = {r["team"]: r for r in document["teams"]}
    assert rows["Claims Triage"]["percentiles"]["data"] == pytest.approx(100 * 0.5 / 3)
    assert rows["Pricing"]["percentiles"]["data"] == pytest.approx(100 * 2.5 / 3)
    assert document["median"]["data"] == 2 and document["quartiles"]["data"] == [1.5, 2.5]
    assert rows["Churn"]["low_confidence"]  # one respondent


def test_reopening_a_submitted_response_takes_it_out_of_the_comparison(client, teams, login):
    login("b@acme.test")
    client.post(
        f"/o/acme/survey/2026-Q4/{teams['pricing'].id}/data", data={"answer-data.contracts": "0"}
    )
    rows = {r["team"]: r for r in comparison(teams["cycle"])["teams"]}
    assert rows["Pricing"]["scores"]["data"] is None and rows["Pricing"]["respondents"] == 0


def test_change_since_the_previous_cycle(client, teams, login, make_cycle, runner):
    org_ops.close_cycle(teams["cycle"])
    db.session.commit()
    nxt = make_cycle(teams["org"], "2027-Q1")
    submit_response(
        nxt,
        teams["pricing"],
        teams["lead"],
        {"data.contracts": 1},
    )
    from app.comparisons import store_team_scores

    store_team_scores(nxt)
    db.session.commit()
    rows = {r["team"]: r for r in comparison(nxt)["teams"]}
    assert rows["Pricing"]["change"]["data"] == pytest.approx(1 - 3)
    assert rows["Claims Triage"]["change"]["data"] is None


def test_executive_compares_chosen_teams_and_exports_the_same_numbers(client, teams, login):
    login("exec@acme.test")
    query = f"team={teams['claims'].id}&team={teams['pricing'].id}"
    page = client.get(f"/o/acme/compare?{query}").get_data(as_text=True)
    assert "Claims Triage" in page and "Pricing" in page and "<svg" in page
    assert "(17)" in page and "(83)" in page  # percentile ranks
    rows = list(
        csv.DictReader(
            io.StringIO(client.get(f"/o/acme/compare.csv?{query}").get_data(as_text=True))
        )
    )
    data = {r["team"]: r for r in rows if r["challenge"] == "data"}
    assert data["Pricing"]["score"] == "3.00" and data["Pricing"]["percentile"] == "83.33"
    assert (
        data["Claims Triage"]["org_median"] == "2.00" and data["Claims Triage"]["org_q1"] == "1.50"
    )
    assert {r["team"] for r in rows} == {"Claims Triage", "Pricing"}


def test_business_unit_filter(client, teams, login):
    login("exec@acme.test")
    page = client.get("/o/acme/compare?unit=Insurance").get_data(as_text=True)
    table = page.split("compare-table")[1]
    assert "Pricing" in table and "Claims Triage" in table and "Churn" not in table


def test_lead_compares_only_their_team_with_the_aggregates(client, teams, login):
    login("lead@acme.test")
    page = client.get(f"/o/acme/compare?team={teams['pricing'].id}").get_data(as_text=True)
    table = page.split("compare-table")[1]
    assert "Claims Triage" in table and "Pricing" not in table and "Org median" in table
    csv_text = client.get(f"/o/acme/compare.csv?team={teams['pricing'].id}").get_data(as_text=True)
    assert "Pricing" not in csv_text


def test_members_cannot_compare(client, teams, login):
    login("bob@acme.test")
    assert client.get("/o/acme/compare").status_code == 403
    assert client.get("/o/acme/heatmap").status_code == 403


def test_heatmap_sorts_by_any_column_and_filters(client, teams, login):
    login("exec@acme.test")
    page = client.get("/o/acme/heatmap?sort=data&dir=desc").get_data(as_text=True)
    assert page.index(">Pricing<") < page.index(">Churn<") < page.index(">Claims Triage<")
    page = client.get("/o/acme/heatmap?sort=data&dir=asc").get_data(as_text=True)
    assert page.index(">Claims Triage<") < page.index(">Churn<") < page.index(">Pricing<")
    page = client.get("/o/acme/heatmap?unit=Banking").get_data(as_text=True)
    assert ">Churn<" in page and ">Pricing<" not in page
    assert f"/o/acme/teams/{teams['churn'].id}/report" in page


def test_trends_and_movers(client, teams, login):
    login("exec@acme.test")
    page = client.get("/o/acme/trends?unit=Insurance").get_data(as_text=True)
    assert "Line chart: scores per challenge over cycles for Insurance" in page
    assert "Biggest movers" in page


def test_comparison_queries_do_not_grow_with_teams(
    client, teams, login, make_team, make_user, monkeypatch
):
    monkeypatch.setenv("ASCENT_NO_READ_CACHE", "1")  # count the work of an uncached request
    from app.api.auth import create_token
    from app.comparisons import store_team_scores
    from tests.conftest import query_counter

    _, token = create_token(teams["executive"], "count")
    db.session.commit()
    login("exec@acme.test")
    page = f"/o/acme/compare?team={teams['claims'].id}&team={teams['pricing'].id}"
    api = ("/api/v1/orgs/acme/cycles/2026-Q4/comparison", {"Authorization": f"Bearer {token}"})

    def counts():
        result = []
        for path, headers in ((page, {}), api):
            db.session.expire_all()
            statements, stop = query_counter(db.engine)
            assert client.get(path, headers=headers).status_code == 200
            stop()
            result.append(len(statements))
        return result

    counts()  # the first API call also records when the token was last used
    before = counts()
    for n in range(5):
        lead = make_user(f"extra{n}@acme.test", teams["org"])
        team = make_team(teams["org"], f"Extra {n}", lead)
        submit_response(teams["cycle"], team, lead, {"data.contracts": n % 5})
    store_team_scores(teams["cycle"])
    db.session.commit()
    assert len(comparison(teams["cycle"])["teams"]) == 8
    counts()  # a new version of the comparison is read once, then kept
    assert counts() == before


def test_compare_page_never_shows_numbers_older_than_the_last_submit(client, teams, login):
    login("exec@acme.test")
    path = f"/o/acme/compare?team={teams['pricing'].id}"
    assert ">3.0<" in client.get(path).get_data(as_text=True)
    client.post("/logout")
    login("b@acme.test")
    client.post(
        f"/o/acme/survey/2026-Q4/{teams['pricing'].id}/data",
        data={"answer-data.contracts": "0", "answer-data.lineage": "0"},
    )
    client.post(f"/o/acme/survey/2026-Q4/{teams['pricing'].id}/submit")
    client.post("/logout")
    login("exec@acme.test")
    page = client.get(path).get_data(as_text=True)
    assert ">0.0<" in page and ">3.0<" not in page.split("compare-table")[1].split("Ownership")[0]


@pytest.mark.parametrize(
    "value, shown, hidden",
    [
        (-0.04, "±0.0", ("▼", "-0.0")),
        (0.049, "±0.0", ("▲", "+0.0")),
        (0.0, "±0.0", ("▲", "▼")),
        (-0.06, "▼ -0.1", ("±",)),
        (0.25, "▲ +0.2", ("±",)),
    ],
)
def test_a_change_that_rounds_to_zero_shows_as_unchanged(app, value, shown, hidden):
    macro = app.jinja_env.get_template("compare/_change.html").module.change
    html = str(macro(value))
    text = re.sub(r"<[^>]+>", "", html)  # what a reader sees, not the exact value in the tooltip
    assert shown in text
    assert not any(mark in text for mark in hidden)
    assert ("change down" in html) == (value <= -0.05)


def test_teams_are_picked_with_checkboxes_the_chosen_first(client, teams, login):
    login("exec@acme.test")
    page = client.get(f"/o/acme/compare?team={teams['pricing'].id}").get_data(as_text=True)
    assert "multiple" not in page and "Ctrl-click" not in page
    boxes = page.split('id="team-choices"')[1].split("</ul>")[0]
    assert boxes.count('type="checkbox" name="team"') == 3
    assert boxes.index("Pricing") < boxes.index("Churn") < boxes.index("Claims Triage")
    assert f'value="{teams["pricing"].id}" checked' in boxes
    assert boxes.count(" checked") == 1
    table = page.split("compare-table")[1]
    assert table.index("Org median") < table.index("Q1 – Q3") < table.index("Pricing")
    assert 'src="/static/compare.js"' in page


def test_the_picker_escapes_team_names(client, teams, login, make_team):
    from app.comparisons import store_team_scores

    make_team(teams["org"], "<b>R&D</b>", unit="Lab <1>")
    store_team_scores(teams["cycle"])
    db.session.commit()
    login("exec@acme.test")
    page = client.get("/o/acme/compare").get_data(as_text=True)
    assert "&lt;b&gt;R&amp;D&lt;/b&gt;" in page and "<b>R&D" not in page
